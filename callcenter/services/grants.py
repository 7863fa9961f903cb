"""Writes of access grants (SEC-2): give one, end it early, start and expire them (the
``access-grants-sync`` job), and forget an object that was deleted.

A grant is carried out by a django-guardian object permission of its grantee on its object, held
exactly while a started grant is in force: :func:`_permission_sync` assigns or removes it for one
(grantee, object) pair from the grants of that pair, so the order in which grants start and end
never matters and running the job twice changes nothing. Every grant, start, end and permission
removed is audited in the same transaction.

Guardian's caveat (object permissions outlive deleted objects: they hold a text id, not a
foreign key): a deleted object ends its grants and takes its permissions with it
(:func:`access_grants_object_deleted`, called on ``post_delete``), and the job sweeps any
permission of the grant kinds that no grant in force carries.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_user_obj_perms_model

from callcenter.duties import actor_employee_id, privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError
from callcenter.models import AccessGrant, Employee, GrantEndReason, GrantKind, GrantState, User
from callcenter.providers import GrantTarget, grant_target, grant_targets
from callcenter.roles import Role, has_role
from callcenter.selectors.grants import (
    TEAM_COVER_ROLES,
    access_grant_in_force_q,
    access_grant_list,
    access_grants_can_manage,
    hr_remit_limit_list,
    hr_remit_limited,
)
from callcenter.services.notifications import notification_send
from datasecurity.services import audit_record

__all__ = [
    "GRANT_MAX_DAYS",
    "GRANT_REASON_MIN_LENGTH",
    "access_grant_create",
    "access_grant_revoke",
    "access_grants_object_deleted",
    "access_grants_sync",
    "hr_company_wide_require",
    "hr_remit_limit_lift",
]

GRANT_MAX_DAYS = 366
GRANT_REASON_MIN_LENGTH = 5
GRANT_REASON_MAX_LENGTH = 500


def hr_company_wide_require(actor) -> None:
    """Refuse a company-wide HR function (policies, leave types, bonus sheets, cycles) to an HR
    assistant limited to departments: their remit is those departments, not the company."""
    if hr_remit_limited(actor):
        raise PermissionDeniedError(
            _("Your HR remit is limited to some departments; this applies to the whole company and needs company HR."),
            code=CoreErrorCode.HR_REMIT_LIMITED,
        )


def _require_manager(actor) -> None:
    if not access_grants_can_manage(actor):
        raise PermissionDeniedError(_("Only company HR can grant or end access."))


def _target_of(kind: str) -> GrantTarget:
    target = grant_target(kind) if kind in GrantKind.values else None
    if target is None:
        raise ApplicationError(_("Choose what kind of access to grant."), code=CoreErrorCode.INVALID_KIND, field="kind")
    return target


def _permission(target: GrantTarget) -> Permission:
    app_label, codename = target.permission.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _check_grantee(kind: str, grantee: User, actor) -> None:
    # SEC-2: nobody grants themselves access (callcenter.duties); an account without an employee
    # record (an administrator's) has no "own record" there, so it is refused by its login too.
    refuse_own_record(actor=actor, action="callcenter.access_grant_create", employee_id=actor_employee_id(grantee))
    if grantee.pk == actor.pk:
        raise ApplicationError(
            _("You cannot grant access to yourself; ask another HR colleague."),
            code=CoreErrorCode.GRANT_SELF,
            status=403,
            field="grantee",
        )
    if grantee.is_superuser:
        raise ApplicationError(
            _("An administrator already sees everything; no grant applies."),
            code=CoreErrorCode.GRANTEE_NOT_ELIGIBLE,
            field="grantee",
        )
    if kind == GrantKind.TEAM:
        employee = Employee.objects.filter(user_id=grantee.pk).first()
        if employee is None or not employee.is_active or not has_role(grantee, *TEAM_COVER_ROLES):
            raise ApplicationError(
                _("A team is covered by a supervisor, manager or leader in charge: choose one of them."),
                code=CoreErrorCode.GRANTEE_NOT_ELIGIBLE,
                field="grantee",
            )
    elif kind == GrantKind.DEPARTMENT and not has_role(grantee, Role.HR):
        raise ApplicationError(
            _("Only an HR user can be given HR for a department."),
            code=CoreErrorCode.GRANTEE_NOT_ELIGIBLE,
            field="grantee",
        )


def _check_period(starts_on, ends_on) -> None:
    if starts_on is None or ends_on is None:
        raise ApplicationError(
            _("Choose the first and the last day."), code=CoreErrorCode.INVALID_DATE, field="starts_on"
        )
    if starts_on < timezone.localdate():
        raise ApplicationError(
            _("A grant cannot start in the past."), code=CoreErrorCode.INVALID_DATE, field="starts_on"
        )
    if ends_on < starts_on:
        raise ApplicationError(
            _("The last day is before the first day."), code=CoreErrorCode.INVALID_DATE, field="ends_on"
        )
    if (ends_on - starts_on).days + 1 > GRANT_MAX_DAYS:
        raise ApplicationError(
            _("A grant lasts at most %(days)d days.") % {"days": GRANT_MAX_DAYS},
            code=CoreErrorCode.GRANT_TOO_LONG,
            field="ends_on",
        )


def _clean_reason(reason: str | None, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < GRANT_REASON_MIN_LENGTH:
        raise ApplicationError(
            _("Please give a reason of at least %(count)d characters.") % {"count": GRANT_REASON_MIN_LENGTH},
            code=CoreErrorCode.GRANT_REASON_REQUIRED,
            field=field,
        )
    if len(reason) > GRANT_REASON_MAX_LENGTH:
        raise ApplicationError(
            _("The reason is too long (at most %(count)d characters).") % {"count": GRANT_REASON_MAX_LENGTH},
            code=CoreErrorCode.GRANT_REASON_REQUIRED,
            field=field,
        )
    return reason


def _changes(grant: AccessGrant) -> dict:
    return {
        "kind": grant.kind,
        "grantee": grant.grantee_id,
        "object": grant.object_label,
        "object_id": grant.object_pk,
        "from": grant.starts_on,
        "until": grant.ends_on,
    }


# --- Carrying grants out: the django-guardian permission -------------------------------------------


def _object_of(grant: AccessGrant) -> Model | None:
    model = grant.content_type.model_class()
    return model._default_manager.filter(pk=grant.object_pk).first() if model is not None else None


def _permission_sync(grant: AccessGrant, obj: Model | None = None) -> str:
    """Hold the grant's permission exactly while a started grant of the same (grantee, object)
    is in force today: ``"assigned"``, ``"removed"`` or ``""`` (nothing to do)."""
    pair = {"grantee_id": grant.grantee_id, "content_type_id": grant.content_type_id, "object_pk": grant.object_pk}
    wanted = AccessGrant.objects.filter(
        access_grant_in_force_q(timezone.localdate()), state=GrantState.ACTIVE, **pair
    ).exists()
    held = get_user_obj_perms_model().objects.filter(
        user_id=grant.grantee_id,
        permission_id=grant.permission_id,
        content_type_id=grant.content_type_id,
        object_pk=grant.object_pk,
    )
    if wanted == held.exists():
        return ""
    obj = obj or _object_of(grant)
    if wanted and obj is not None:
        assign_perm(grant.permission, grant.grantee, obj)
        return "assigned"
    if obj is not None:
        remove_perm(grant.permission, grant.grantee, obj)
    else:  # the object is gone: guardian can only be told by its rows
        held.delete()
    return "removed"


def _start(grant: AccessGrant, *, actor=None, obj=None) -> None:
    grant.state = GrantState.ACTIVE
    grant.started_at = timezone.now()
    grant.save(update_fields=["state", "started_at"])
    _permission_sync(grant, obj)
    audit_record(actor=actor, action="access_grant.start", obj=grant, changes=_changes(grant))


def _end(grant: AccessGrant, *, reason: str, actor=None, note: str = "", obj=None) -> None:
    now = timezone.now()
    before = grant.state
    grant.state = GrantState.ENDED
    grant.ended_at = now
    grant.end_reason = reason
    fields = ["state", "ended_at", "end_reason"]
    if reason != GrantEndReason.EXPIRED:
        grant.revoked_at = now
        grant.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        grant.revoke_reason = note
        fields += ["revoked_at", "revoked_by", "revoke_reason"]
    grant.save(update_fields=fields)
    removed = _permission_sync(grant, obj)
    action = {
        GrantEndReason.EXPIRED: "access_grant.expire",
        GrantEndReason.REVOKED: "access_grant.revoke",
        GrantEndReason.OBJECT_DELETED: "access_grant.object_deleted",
    }[reason]
    changes = {**_changes(grant), "state": [before, GrantState.ENDED], "permission": removed or "none"}
    if note:
        changes["reason"] = note
    audit_record(actor=actor, action=action, obj=grant, changes=changes)


# --- Give, end early ------------------------------------------------------------------------------


@privileged_service("callcenter.access_grant_create", label=gettext_lazy("grant access"))
@transaction.atomic
def access_grant_create(
    *,
    actor,
    kind: str,
    grantee_id: int | None,
    target: str | int | None,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    reason: str,
) -> AccessGrant:
    """Company HR grants ``grantee_id`` access of ``kind`` to one object (``target``: a team's or
    a department's id or code, a complaint's reference) from ``starts_on`` to ``ends_on``
    inclusive. A grant starting today is in force at once; a later one is started by the job."""
    _require_manager(actor)
    provider = _target_of(kind)
    # The grantee's row lock serialises grants to one person (the overlap check, and the
    # database's exclusion constraint under a race).
    grantee = User.objects.select_for_update().filter(pk=grantee_id).first() if grantee_id else None
    if grantee is None or not grantee.is_active:
        raise ApplicationError(
            _("Choose an active user to grant access to."), code=CoreErrorCode.GRANTEE_INACTIVE, field="grantee"
        )
    _check_grantee(kind, grantee, actor)
    obj = provider.find(str(target).strip()) if target not in (None, "") else None
    if obj is None:
        raise ApplicationError(
            _("Nothing of this kind was found: check what you chose or typed."),
            code=CoreErrorCode.GRANT_TARGET_NOT_FOUND,
            field=kind,  # the form's field of the kind's object
        )
    if kind == GrantKind.TEAM and Employee.objects.filter(user_id=grantee.pk, supervised_teams=obj).exists():
        raise ApplicationError(
            _("%(name)s already supervises this team.") % {"name": grantee.get_username()},
            code=CoreErrorCode.GRANT_REDUNDANT,
            field=kind,
        )
    _check_period(starts_on, ends_on)
    reason = _clean_reason(reason)
    content_type = ContentType.objects.get_for_model(provider.model)
    overlapping = AccessGrant.objects.filter(
        grantee=grantee,
        content_type=content_type,
        object_pk=str(obj.pk),
        revoked_at__isnull=True,
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    overlap_error = ApplicationError(
        _("%(name)s already holds this access for some of these days.") % {"name": grantee.get_username()},
        code=CoreErrorCode.GRANT_OVERLAP,
        status=409,
    )
    if overlapping.exists():
        raise overlap_error
    try:
        with transaction.atomic():
            grant = AccessGrant.objects.create(
                kind=kind,
                grantee=grantee,
                content_type=content_type,
                object_pk=str(obj.pk),
                object_label=provider.label(obj)[:200],
                permission=_permission(provider),
                starts_on=starts_on,
                ends_on=ends_on,
                reason=reason,
                granted_by=actor,
            )
    except IntegrityError as exc:  # access_grant_no_overlap, under a race
        raise overlap_error from exc
    audit_record(actor=actor, action="access_grant.create", obj=grant, changes={**_changes(grant), "reason": reason})
    if kind == GrantKind.DEPARTMENT and not grantee.hr_remit_limited:
        # From now on an HR assistant: the departments of their grants in force, never more.
        grantee.hr_remit_limited = True
        grantee.save(update_fields=["hr_remit_limited"])
        audit_record(
            actor=actor, action="user.hr_remit_limit", obj=grantee, changes={"hr_remit_limited": [False, True]}
        )
    if starts_on <= timezone.localdate():
        _start(grant, actor=actor, obj=obj)
    notification_send(
        recipients=[grantee],
        kind="access.granted",
        title=gettext_lazy("Access granted: %(object)s"),
        body=gettext_lazy("%(kind)s, from %(start)s until %(end)s. Reason: %(reason)s"),
        url=_object_url(provider, obj),
        params={
            "object": grant.object_label,
            "kind": GrantKind(kind).label,
            "start": starts_on.isoformat(),
            "end": ends_on.isoformat(),
            "reason": reason,
        },
    )
    return grant


def _object_url(provider: GrantTarget, obj) -> str:
    return reverse(provider.url_name, args=[obj.pk]) if provider.url_name else ""


@transaction.atomic
def access_grant_revoke(*, actor, grant_id: int, reason: str) -> AccessGrant:
    """Company HR ends a grant early (or cancels one not started): its permission goes at once."""
    _require_manager(actor)
    reason = _clean_reason(reason)
    visible = access_grant_list(user=actor).filter(pk=grant_id).values("pk")
    grant = (
        AccessGrant.objects.select_for_update(of=("self",))
        .select_related("grantee", "permission")
        .filter(pk__in=visible)
        .first()
    )
    if grant is None:
        raise NotFoundError(_("Access grant not found."))
    if grant.revoked_at is not None or grant.ends_on < timezone.localdate():
        raise ApplicationError(_("This grant has already ended."), code=CoreErrorCode.GRANT_ENDED, status=409)
    _end(grant, reason=GrantEndReason.REVOKED, actor=actor, note=reason)
    return grant


@transaction.atomic
def hr_remit_limit_lift(*, actor, user_id: int) -> User:
    """Company HR makes an HR assistant company HR again: their department grants end."""
    _require_manager(actor)
    visible = hr_remit_limit_list(user=actor).filter(pk=user_id).values("pk")
    user = User.objects.select_for_update().filter(pk__in=visible).first()
    if user is None:
        raise NotFoundError(_("This user's HR remit is not limited."))
    for grant in AccessGrant.objects.select_for_update().filter(
        grantee_id=user.pk, kind=GrantKind.DEPARTMENT, revoked_at__isnull=True, ends_on__gte=timezone.localdate()
    ):
        _end(grant, reason=GrantEndReason.REVOKED, actor=actor, note=_("HR remit made company-wide"))
    user.hr_remit_limited = False
    user.save(update_fields=["hr_remit_limited"])
    audit_record(actor=actor, action="user.hr_remit_lift", obj=user, changes={"hr_remit_limited": [True, False]})
    return user


# --- The job and deleted objects ------------------------------------------------------------------


@transaction.atomic
def access_grants_sync() -> dict:
    """Start the grants whose first day has come, expire those past their last day, end those
    whose object is gone, and remove every permission of the grant kinds no grant in force
    carries. Idempotent: a second run finds nothing to do (and writes no audit event)."""
    today = timezone.localdate()
    counts = {"started": 0, "expired": 0, "object_deleted": 0, "permissions_restored": 0, "permissions_removed": 0}
    open_grants = AccessGrant.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
        "grantee", "permission", "content_type"
    )
    # Expire first: a grant ending yesterday and its successor starting today share a permission.
    for grant in open_grants.filter(state__in=[GrantState.SCHEDULED, GrantState.ACTIVE], ends_on__lt=today):
        _end(grant, reason=GrantEndReason.EXPIRED)
        counts["expired"] += 1
    for grant in open_grants.filter(state__in=[GrantState.SCHEDULED, GrantState.ACTIVE]):
        obj = _object_of(grant)
        if obj is None:
            _end(grant, reason=GrantEndReason.OBJECT_DELETED)
            counts["object_deleted"] += 1
        elif grant.state == GrantState.SCHEDULED:
            if grant.starts_on <= today:
                _start(grant, obj=obj)
                counts["started"] += 1
        elif _permission_sync(grant, obj):  # a started grant's permission removed behind its back
            audit_record(actor=None, action="access_grant.permission_restored", obj=grant, changes=_changes(grant))
            counts["permissions_restored"] += 1
    counts["permissions_removed"] = _permissions_without_grant_remove()
    return counts


def _permissions_without_grant_remove() -> int:
    """Delete object permissions of the grant kinds that no started grant in force carries (a
    permission given by hand, or one left behind by an object deleted without its signal)."""
    permissions = [_permission(target) for target in grant_targets()]
    if not permissions:
        return 0
    carried = set(
        AccessGrant.objects.filter(access_grant_in_force_q(timezone.localdate()), state=GrantState.ACTIVE).values_list(
            "grantee_id", "permission_id", "content_type_id", "object_pk"
        )
    )
    removed = 0
    rows = get_user_obj_perms_model().objects.filter(permission__in=permissions)
    for row in rows.select_related("permission", "content_type"):
        if (row.user_id, row.permission_id, row.content_type_id, row.object_pk) in carried:
            continue
        audit_record(
            actor=None,
            action="access_grant.permission_removed",
            object_type=f"{row.content_type.app_label}.{row.content_type.model}",
            object_id=row.object_pk,
            changes={"user": row.user_id, "permission": row.permission.codename},
        )
        row.delete()
        removed += 1
    return removed


@transaction.atomic
def access_grants_object_deleted(*, model: type[Model], object_pk) -> int:
    """An object that grants name was deleted (``post_delete``): its grants end and every
    object permission on it goes, so a later object can never inherit them (guardian's caveat)."""
    content_type = ContentType.objects.get_for_model(model)
    ended = 0
    for grant in AccessGrant.objects.select_for_update().filter(
        content_type=content_type, object_pk=str(object_pk), state__in=[GrantState.SCHEDULED, GrantState.ACTIVE]
    ):
        _end(grant, reason=GrantEndReason.OBJECT_DELETED)
        ended += 1
    get_user_obj_perms_model().objects.filter(content_type=content_type, object_pk=str(object_pk)).delete()
    return ended
