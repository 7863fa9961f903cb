"""Notifications in-app and by e-mail, in each recipient's language, sent after commit."""

import re

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, CoreErrorCode
from callcenter.models import (
    Employee,
    Notification,
    User,
)

__all__ = [
    "NOTIFICATION_KIND_RE",
    "notification_email_send",
    "notification_mark_read",
    "notification_send",
]

NOTIFICATION_KIND_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


def _recipient_user_id(recipient) -> int:
    """A User, an Employee (its login) or a user id."""
    if isinstance(recipient, Employee):
        return recipient.user_id
    return getattr(recipient, "pk", recipient)


def _notification_url_check(url: str) -> str:
    # A site-relative path only: no scheme, no host, no "//host" or "/\host" (open redirect).
    if url and (not url.startswith("/") or url.startswith(("//", "/\\")) or any(c in url for c in "\r\n\t\\")):
        raise ApplicationError(_("A notification link must be a path on this site."), code=CoreErrorCode.INVALID_URL)
    return url


def _render_for(language: str, text, params: dict | None, limit: int | None = None) -> str:
    """``text`` (lazy or plain) in ``language``, filled with ``params`` (whose lazy values are
    translated in the same language)."""
    with translation.override(language):
        rendered = str(text)
        if params is not None:
            rendered = rendered % params
    return Truncator(rendered).chars(limit) if limit else rendered


@transaction.atomic
def notification_send(
    *,
    recipients,
    kind: str,
    title,
    body="",
    url: str = "",
    params: dict | None = None,
    email: bool = True,
) -> list[Notification]:
    """Notify ``recipients`` (Users, Employees or user ids) in the app and, after commit, by e-mail.

    ``title`` and ``body`` are translatable (``gettext_lazy`` with ``%(name)s`` placeholders);
    each recipient gets them in their own ``preferred_language``, filled with ``params``.
    Inactive users and duplicates are skipped. Call it inside the caller's transaction: the
    notifications are written with it, and the e-mails are queued only once it commits (one
    Celery task for the batch, carrying ids).
    """
    if not NOTIFICATION_KIND_RE.match(kind or "") or len(kind) > 50:
        raise ApplicationError(_("Invalid notification kind."), code=CoreErrorCode.INVALID_KIND)
    url = _notification_url_check(url or "")
    wanted: list[int] = []
    for recipient in recipients:
        user_id = _recipient_user_id(recipient)
        if user_id is not None and user_id not in wanted:
            wanted.append(user_id)
    if not wanted:
        return []
    # Read is_active and the language from the database: the caller's instances may be stale.
    users = User.objects.filter(pk__in=wanted, is_active=True).only("pk", "email", "preferred_language").in_bulk()
    now = timezone.now()
    notifications = []
    for user_id in wanted:
        user = users.get(user_id)
        if user is None:
            continue
        language = user.preferred_language or settings.LANGUAGE_CODE
        notifications.append(
            Notification(
                recipient=user,
                kind=kind,
                title=_render_for(language, title, params, limit=200),
                body=_render_for(language, body, params) if body else "",
                url=url,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(notifications)
    to_email = [n.pk for n in notifications if n.recipient.email]
    if email and to_email:
        from callcenter.tasks import notification_email_send as email_task  # noqa: PLC0415 - enqueue: tasks import services

        email_task.delay_on_commit(to_email)
    return notifications


def notification_mark_read(*, actor, notification_ids=None) -> int:
    """Mark ``actor``'s own notifications read (all unread ones when ``notification_ids`` is None).
    Ids of other users' notifications are ignored. Returns how many were marked."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def _notification_email_text(notification: Notification) -> tuple[str, str]:
    """Subject and text of the e-mail, in the recipient's language."""
    with translation.override(notification.recipient.preferred_language or settings.LANGUAGE_CODE):
        subject = " ".join(notification.title.split())  # one header line, whatever the title holds
        parts = [notification.body] if notification.body else []
        if notification.url:
            link = settings.SITE_URL.rstrip("/") + notification.url
            parts.append(_("Open: %(link)s") % {"link": link})
        parts.append("-- \n" + _("Call Center HR & Operations"))
    return subject, "\n\n".join(parts)


def notification_email_send(*, notification_ids: list[int]) -> int:
    """E-mail each notification once (idempotent: a run twice, or a retry after a failure, never
    resends one whose ``emailed_at`` is set). Returns how many e-mails went out.

    One transaction per notification holding its row lock while it is sent, so two workers never
    send the same one, and a failed send leaves the rest to the task's retry.
    """
    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(
                    pk=notification_id,
                    emailed_at__isnull=True,
                    recipient__is_active=True,
                    recipient__email__gt="",
                )
                .first()
            )
            if notification is None:
                continue
            subject, text = _notification_email_text(notification)
            send_mail(subject, text, None, [notification.recipient.email])
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    return sent
