"""Access grants: time-bound, object-level exceptions to the reporting lines (SEC-2).

The reporting lines decide whose records a person sees (``callcenter.selectors.org``). Three
exceptions the product needs are granted here, by HR, for a period, with a reason:

* ``team``: a covering supervisor is given a team (they see its members and decide at the
  supervisor's step, on the supervisor's behalf);
* ``department``: an HR user is limited to some departments (their HR remit, instead of the
  whole company);
* ``complaint``: a named person (an auditor) may read one complaint case.

A grant is carried out by django-guardian: while it is in force its grantee holds an object
permission on the object (``callcenter.cover_team``, ``callcenter.hr_department``,
``complaints.view_complaint``); the ``access-grants-sync`` job assigns it when the grant starts
and removes it when it ends. The visibility queries ask for both, the permission *and* a grant
in force today, so an expired grant never shows data even before the job has run.
"""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.db_constraints import PostgresExclusionConstraint

__all__ = [
    "AccessGrant",
    "GrantEndReason",
    "GrantKind",
    "GrantState",
]


class GrantKind(models.TextChoices):
    TEAM = "team", _("Covering supervisor of a team")
    DEPARTMENT = "department", _("HR for a department")
    COMPLAINT = "complaint", _("Read access to a complaint case")


class GrantState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")  # not started: no permission yet
    ACTIVE = "active", _("In force")  # started: the grantee holds the permission
    ENDED = "ended", _("Ended")  # expired, ended early or its object deleted: permission removed


class GrantEndReason(models.TextChoices):
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Ended early")
    OBJECT_DELETED = "object_deleted", _("Its object was deleted")


class AccessGrant(models.Model):
    """One grant: who, what (kind + object), from, until, why, granted by whom, and how it ended.

    Rows are never deleted: the list of grants is their history. ``object_pk`` is the object's
    primary key as text, the way django-guardian stores it; ``object_label`` keeps what the
    object was called, so the history still reads after the object is deleted."""

    kind = models.CharField(_("kind"), max_length=20, choices=GrantKind.choices)
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("grantee"), on_delete=models.PROTECT, related_name="access_grants"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_pk = models.CharField(_("object id"), max_length=64)
    object_label = models.CharField(_("object"), max_length=200)
    # The django-guardian permission the grant carries (one per kind).
    permission = models.ForeignKey(Permission, verbose_name=_("permission"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=500)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=GrantState.choices, default=GrantState.SCHEDULED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("how it ended"), max_length=20, choices=GrantEndReason.choices, blank=True)
    # Set when a person ends the grant early (or its object is deleted): it no longer counts,
    # whatever its dates say.
    revoked_at = models.DateTimeField(_("ended early at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended early by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.CharField(_("why it ended early"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="access_grant_end_not_before_start"),
            models.CheckConstraint(condition=~Q(grantee=F("granted_by")), name="access_grant_not_to_self"),
            models.CheckConstraint(
                condition=Q(state="ended", ended_at__isnull=False, end_reason__gt="")
                | (~Q(state="ended") & Q(ended_at__isnull=True, end_reason="")),
                name="access_grant_end_matches_state",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(state="ended", end_reason__in=["revoked", "object_deleted"]),
                name="access_grant_revoked_is_ended",
            ),
            # No two grants of the same object to the same person for overlapping days (those
            # ended early no longer count). The service checks first; this holds under races.
            PostgresExclusionConstraint(
                name="access_grant_no_overlap",
                expressions=[
                    ("grantee", RangeOperators.EQUAL),
                    ("content_type", RangeOperators.EQUAL),
                    ("object_pk", RangeOperators.EQUAL),
                    (
                        Func(
                            F("starts_on"),
                            F("ends_on"),
                            Value("[]"),
                            function="daterange",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(revoked_at__isnull=True),
                violation_error_message=_("This person already holds this access for some of these days."),
            ),
        ]
        indexes = [
            models.Index(fields=["grantee", "starts_on", "ends_on"], name="access_grant_grantee_idx"),
            models.Index(fields=["state", "starts_on"], name="access_grant_state_idx"),
            models.Index(fields=["content_type", "object_pk"], name="access_grant_object_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.object_label} ({self.starts_on} – {self.ends_on})"

    def in_force_on(self, day) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on
