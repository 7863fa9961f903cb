"""In-app notifications (bell, /notifications/), e-mailed once."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models.accounts import User

__all__ = [
    "Notification",
]


class Notification(models.Model):
    """A message to one user, shown in the app (bell, /notifications/) and e-mailed once.

    Title and body are stored already rendered in the recipient's language (see
    ``services.notification_send``), so the list costs no translation work at read time.
    """

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        _("kind"),
        max_length=50,
        validators=[
            RegexValidator(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", _("Use lowercase words joined by dots, e.g. leave.pending."))
        ],
        help_text=_("What the notification is about, e.g. leave.pending."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True, help_text=_("A path on this site, e.g. /leave/12/."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Only site-relative paths: a notification must never link off-site ("//host", "/\host").
            models.CheckConstraint(
                condition=Q(url="") | (Q(url__startswith="/") & ~Q(url__startswith="//") & ~Q(url__startswith="/\\")),
                name="notification_url_site_relative",
            ),
        ]
        indexes = [
            # The bell (unread count) and the list, both per recipient.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_recipient_idx"),
        ]

    def __str__(self):
        return f"{self.recipient_id} {self.kind}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
