"""The user's own notifications."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.models import Notification

__all__ = [
    "notification_get",
    "notification_list",
    "notification_unread_count",
]


def notification_list(*, user, filters: dict | None = None) -> QuerySet[Notification]:
    """``user``'s own notifications, newest first; ``unread`` keeps the unread ones."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    filters = filters or {}
    qs = Notification.objects.filter(recipient=user)
    if filters.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_get(*, user, pk) -> Notification:
    """One of ``user``'s notifications, or NotFoundError (also for anyone else's: no leak)."""
    notification = notification_list(user=user).filter(pk=pk).first()
    if notification is None:
        raise NotFoundError(_("Notification not found."))
    return notification


def notification_unread_count(*, user) -> int:
    """The bell's number: one COUNT on the (recipient, read_at, created_at) index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
