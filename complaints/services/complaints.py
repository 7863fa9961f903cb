"""Writes of complaints (CMP-1..CMP-3). Every write is audited in the same transaction; the
customer's contact details never enter the audit trail (SEC-2).

Every action takes the complaint's id: the service loads the row under its lock once, checks the
actor may see it (``NotFoundError`` otherwise: no leak that it exists), then acts. Related records
come as ids too (``owner_id``, ``responsible_id``, ``concerned_team_id`` …) and are checked here; a
refusal about one input names its ``field`` (the pages show it there, the API answers
``errors: {field: [message]}``).

Workflow (every other transition is refused with a clear error):

    new ──(assign / first contact / plan)──> investigating ──(resolve: needs a plan)──> resolved
    resolved ──(follow-up, satisfied)──> closed
    resolved ──(follow-up, not satisfied: reopen, a new plan is needed)──> investigating
    any open ──(a company leader closes it with a reason, CMP-3)──> closed
    closed: final (a new complaint is recorded instead)

Separation of duties (SEC-2, :mod:`callcenter.duties`): a complaint naming the actor as an agent
concerned is their own record; its owner, plan, clock, resolution, follow-up and closing are
decided by colleagues.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError
from callcenter.models import Employee, EmploymentStatus, Team, User
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_of, policy_in_force
from callcenter.services import notification_send
from complaints import rules
from complaints.errors import ComplaintErrorCode
from complaints.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintPolicy,
    ComplaintStatus,
    EventKind,
    FollowUp,
    ResolutionPlan,
    Urgency,
)
from complaints.selectors import (
    complaint_can_reveal_contact,
    complaint_category_list,
    complaint_concerned_choices,
    complaint_concerned_team_choices,
    complaint_list,
)
from datasecurity.services import (
    UploadErrorCodes,
    audit_record,
    private_open_audited,
    private_storage,
    upload_check,
    upload_store,
)

_ATTACHMENT_CODES = UploadErrorCodes(
    too_large=ComplaintErrorCode.ATTACHMENT_TOO_LARGE,
    empty=ComplaintErrorCode.ATTACHMENT_EMPTY,
    type=ComplaintErrorCode.ATTACHMENT_TYPE,
    type_mismatch=ComplaintErrorCode.ATTACHMENT_TYPE_MISMATCH,
)

__all__ = [
    "CATEGORY_DEFAULTS",
    "HANDLER_ROLES",
    "LOG_KINDS",
    "MAX_CONCERNED",
    "complaint_assign",
    "complaint_attach",
    "complaint_attachment_open",
    "complaint_categories_install",
    "complaint_close",
    "complaint_concerned_set",
    "complaint_contact_reveal",
    "complaint_escalate_overdue",
    "complaint_follow_up",
    "complaint_log",
    "complaint_pause",
    "complaint_plan",
    "complaint_record",
    "complaint_resolve",
    "complaint_resume",
]

HANDLER_ROLES = (Role.COMPLAINT_HANDLER,)
LOG_KINDS = (
    EventKind.NOTE,
    EventKind.EVIDENCE,
    EventKind.CUSTOMER_CONTACT,
    EventKind.DEPARTMENT_CONTACT,
    EventKind.PROGRESS_SENT,
)
# Talking with the customer (or sending them an update) is the first response (CMP-2).
RESPONSE_KINDS = (EventKind.CUSTOMER_CONTACT, EventKind.PROGRESS_SENT)
CLOCK_SKEW = datetime.timedelta(minutes=5)
# How many agents one complaint may name as concerned (CMP-1 intake, CMP-2 investigation): a
# customer complains about a handful of agents, never a whole floor.
MAX_CONCERNED = 20

# CMP-4: the categories a new installation starts with; the complaint team adds more.
CATEGORY_DEFAULTS = [
    ("attitude", "服务态度", "Service attitude", 10),
    ("accuracy", "业务差错", "Wrong information or handling", 20),
    ("waiting", "等待时间过长", "Waiting too long", 30),
    ("billing", "费用争议", "Billing dispute", 40),
    ("system", "系统故障", "System failure", 50),
    ("other", "其他", "Other", 90),
]


def complaint_categories_install() -> int:
    created = 0
    for code, name, name_en, order in CATEGORY_DEFAULTS:
        _obj, made = ComplaintCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
        created += made
    return created


# --- Helpers -------------------------------------------------------------------------------------


def _audit(actor, action: str, complaint: Complaint, changes: dict) -> None:
    audit_record(actor=actor, action=action, obj=complaint, changes=changes)


def _event(complaint: Complaint, kind: str, *, actor=None, text: str = "", call_reference: str = "", data=None):
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, text=text, call_reference=call_reference, by=actor, data=data or {}
    )


def _require_handler(actor) -> None:
    if not has_role(actor, *HANDLER_ROLES):
        raise PermissionDeniedError(_("Only the complaint team handles complaints (CMP-2)."))


def _lock(*, actor, complaint_id: int) -> Complaint:
    """The complaint under its row lock, read once, if ``actor`` may see it; NotFoundError
    otherwise (a hidden complaint answers like a missing one)."""
    locked = (
        Complaint.objects.select_for_update(of=("self",))
        .filter(pk__in=complaint_list(user=actor).filter(pk=complaint_id).values("pk"))
        .first()
    )
    if locked is None:
        raise NotFoundError(_("Complaint not found."))
    return locked


def _concerned_ids(complaint: Complaint) -> list[int]:
    return list(complaint.concerned_employees.values_list("pk", flat=True))


def _refuse_concerned(actor, complaint: Complaint, action: str) -> None:
    """A complaint naming the actor as an agent concerned is their own record: its course (owner,
    plan, clock, resolution, the follow-up's satisfaction that scores the agent's appraisal,
    PRF-1) is decided by colleagues (SEC-2, :mod:`callcenter.duties`)."""
    refuse_own_record(actor=actor, employee_ids=_concerned_ids(complaint), action=action)


def _refuse_closed(complaint: Complaint) -> None:
    if complaint.status == ComplaintStatus.CLOSED:
        raise ApplicationError(
            _("This complaint is closed; record a new complaint if the customer complains again."),
            code=ComplaintErrorCode.CLOSED,
            status=409,
        )


def _alert_recipients(*, leaders: bool) -> list[User]:
    roles = [Role.COMPLAINT_HANDLER, Role.COMPANY_LEADER] if leaders else [Role.COMPLAINT_HANDLER]
    return list(User.objects.filter(is_active=True, groups__name__in=roles).distinct())


def _notify(users, kind: str, title, body, complaint: Complaint, extra: dict | None = None) -> None:
    if not users:
        return
    notification_send(
        recipients=users,
        kind=kind,
        title=title,
        body=body,
        url=f"/complaints/{complaint.pk}/",
        params={"reference": complaint.reference, "name": complaint.customer_name, **(extra or {})},
    )


def _text(value: str | None, *, field: str, label, required: bool = True, limit: int = 4000) -> str:
    """``value`` stripped; refused (on ``field``, named ``label`` in the message) when it is
    missing but required, or longer than ``limit``."""
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(
            _("Please fill in %(field)s.") % {"field": label}, code=ComplaintErrorCode.REQUIRED, field=field
        )
    if len(value) > limit:
        raise ApplicationError(
            _("%(field)s is too long (at most %(limit)d characters).") % {"field": label, "limit": limit},
            code=ComplaintErrorCode.TOO_LONG,
            field=field,
        )
    return value


def _concerned_employees(actor, ids) -> list[Employee]:
    """The agents a complaint names, by id: only employees ``actor`` may see (an id the actor may
    not see answers like an unknown one, so recording cannot look names up), and active ones."""
    ids = list(dict.fromkeys(ids or ()))
    if not ids:
        return []
    if len(ids) > MAX_CONCERNED:
        raise ApplicationError(
            _("Name at most %(limit)d agents concerned.") % {"limit": MAX_CONCERNED},
            code=ComplaintErrorCode.CONCERNED_TOO_MANY,
            field="concerned_employees",
        )
    employees = list(complaint_concerned_choices(user=actor, active_only=False).filter(pk__in=ids))
    if len(employees) != len(ids):
        raise ApplicationError(_("Choose active employees."), code=CoreErrorCode.INVALID, field="concerned_employees")
    if any(e.status != EmploymentStatus.ACTIVE for e in employees):
        raise ApplicationError(
            _("Only active employees can be named as concerned."),
            code=ComplaintErrorCode.CONCERNED_INACTIVE,
            field="concerned_employees",
        )
    return employees


def _contact(normalise, value: str, *, field: str) -> str:
    """A phone number or e-mail address normalised by its rule; its refusal names the field."""
    try:
        return normalise(value)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code=ComplaintErrorCode(exc.code), field=field) from exc


# --- Intake (CMP-1) ------------------------------------------------------------------------------


@transaction.atomic
def complaint_record(
    *,
    actor,
    customer_name: str,
    matter: str,
    channel: str,
    received_at: datetime.datetime | None = None,
    phone: str = "",
    email: str = "",
    category_code: str = "",
    urgency: str = Urgency.NORMAL,
    concerned_team_id: int | None = None,
    concerned_employee_ids=(),
    source: str = "staff",
    cause: str = "",
) -> Complaint:
    """Record a complaint taken by phone, e-mail or online (any agent; the integration token for
    the web form / CRM). An urgent complaint starts the emergency procedure at once: the complaint
    team and the company leaders are alerted and its first response is due within the policy's
    short deadline (CMP-1). The category comes by its code (the API's key), the team concerned by
    its id (any team), the agents concerned by their ids (those ``actor`` may see)."""
    customer_name = _text(customer_name, field="customer_name", label=_("the customer's name"), limit=100)
    matter = _text(matter, field="matter", label=_("the matter"))
    phone = _contact(rules.normalise_phone, phone, field="phone")
    email = _contact(rules.normalise_email, email, field="email")
    if not phone and not email:
        raise ApplicationError(
            _("Give the customer's phone number or e-mail address."),
            code=ComplaintErrorCode.CONTACT_MISSING,
            field="phone",
        )
    if channel not in ("phone", "email", "online"):
        raise ApplicationError(
            _("Choose the channel: phone, e-mail or online."), code=ComplaintErrorCode.CHANNEL_INVALID, field="channel"
        )
    if urgency not in Urgency.values:
        raise ApplicationError(_("Choose the urgency."), code=ComplaintErrorCode.URGENCY_INVALID, field="urgency")
    now = timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > now + CLOCK_SKEW:
        raise ApplicationError(
            _("The time received cannot be in the future."),
            code=ComplaintErrorCode.RECEIVED_IN_FUTURE,
            field="received_at",
        )
    if received_at < now - datetime.timedelta(days=90):
        raise ApplicationError(
            _("The time received is more than 90 days ago."),
            code=ComplaintErrorCode.RECEIVED_TOO_OLD,
            field="received_at",
        )
    category = None
    if category_code:
        category = complaint_category_list().filter(code=category_code).first()
        if category is None:
            raise ApplicationError(_("Choose a category."), code=CoreErrorCode.INVALID, field="category")
    concerned_team = None
    if concerned_team_id is not None:
        concerned_team = Team.objects.filter(pk=concerned_team_id).first()
        if concerned_team is None:
            raise ApplicationError(_("Unknown team."), code=CoreErrorCode.INVALID, field="concerned_team")
    concerned = _concerned_employees(actor, concerned_employee_ids)
    policy = policy_in_force(ComplaintPolicy, timezone.localdate(received_at))
    first_due, resolution_due = rules.deadlines(received_at=received_at, urgency=urgency, policy=policy)
    me = employee_of(actor) if actor is not None else None
    complaint = Complaint(
        customer_name=customer_name,
        phone=phone,
        email=email,
        matter=matter,
        received_at=received_at,
        channel=channel,
        category=category,
        urgency=urgency,
        concerned_team=concerned_team,
        cause=_text(cause, field="cause", label=_("the cause"), required=False, limit=200),
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_by_employee=me,
        source=source,
        first_response_due=first_due,
        resolution_due=resolution_due,
    )
    for _attempt in range(5):
        complaint.reference = f"TS{timezone.localtime(received_at):%y%m%d}{secrets.randbelow(10**6):06d}"
        try:
            with transaction.atomic():
                complaint.save()
            break
        except IntegrityError:
            complaint.pk = None
    else:  # pragma: no cover - a million references a day
        raise ApplicationError(
            _("Could not allocate a reference; please try again."), code=ComplaintErrorCode.REFERENCE_BUSY
        )
    if concerned:
        complaint.concerned_employees.set(concerned)
    _event(
        complaint,
        EventKind.RECORDED,
        actor=actor if getattr(actor, "pk", None) else None,
        data={"channel": channel, "urgency": urgency, "source": source},
    )
    _audit(
        actor,
        "complaint.record",
        complaint,
        {
            # Never the contact itself (SEC-2): only whether one was given.
            "customer_name": customer_name,
            "reachable_by": [name for name, value in (("phone", phone), ("email", email)) if value],
            "channel": channel,
            "urgency": urgency,
            "category": category.code if category else None,
            "cause": complaint.cause,
            "concerned_team": concerned_team.pk if concerned_team else None,
            "concerned_employees": [e.pk for e in concerned],
            "received_at": received_at,
            "first_response_due": first_due,
            "resolution_due": resolution_due,
            "source": source,
        },
    )
    if urgency == Urgency.URGENT:
        _notify(
            _alert_recipients(leaders=True),
            "complaint.urgent",
            gettext_lazy("URGENT complaint %(reference)s: %(name)s"),
            gettext_lazy("An urgent complaint was recorded; first response due by %(due)s (CMP-1)."),
            complaint,
            {"due": timezone.localtime(first_due).strftime("%Y-%m-%d %H:%M")},
        )
    return complaint


# --- Investigation (CMP-2) ----------------------------------------------------------------------


def _stop_clock(complaint: Complaint, now: datetime.datetime) -> list[str]:
    """A complaint that closes while paused: the pause ends with it (counted, not left open)."""
    if complaint.paused_since is None:
        return []
    complaint.paused_seconds += int(rules.paused_for(complaint.paused_since, now).total_seconds())
    complaint.paused_since = None
    return ["paused_since", "paused_seconds"]


def _start_investigating(complaint: Complaint) -> list[str]:
    if complaint.status == ComplaintStatus.NEW:
        complaint.status = ComplaintStatus.INVESTIGATING
        return ["status"]
    return []


@privileged_service("complaints.complaint_assign", label=gettext_lazy("assign a complaint"))
@transaction.atomic
def complaint_assign(*, actor, complaint_id: int, owner_id: int) -> Complaint:
    """Give the complaint to an active member of the complaint team (CMP-2)."""
    _require_handler(actor)
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    _refuse_concerned(actor, complaint, "complaints.complaint_assign")
    _refuse_closed(complaint)
    owner = Employee.objects.select_related("user").filter(pk=owner_id).first() if owner_id else None
    if owner is None or owner.status != EmploymentStatus.ACTIVE or not has_role(owner.user, *HANDLER_ROLES):
        raise ApplicationError(
            _("The owner must be an active member of the complaint team."),
            code=ComplaintErrorCode.OWNER_INVALID,
            field="owner",
        )
    if owner.pk in _concerned_ids(complaint):
        raise ApplicationError(
            _("%(name)s is an agent this complaint is about; another member of the complaint team owns it (SEC-2).")
            % {"name": owner.name},
            code=ComplaintErrorCode.OWNER_CONCERNED,
            field="owner",
        )
    before = complaint.owner_id
    complaint.owner = owner
    fields = ["owner", *_start_investigating(complaint)]
    complaint.save(update_fields=fields)
    _event(complaint, EventKind.ASSIGNED, actor=actor, data={"owner": owner.pk, "owner_name": owner.name})
    _audit(actor, "complaint.assign", complaint, {"owner": [before, owner.pk], "status": complaint.status})
    _notify(
        [owner.user],
        "complaint.assigned",
        gettext_lazy("Complaint %(reference)s is yours"),
        gettext_lazy("You own complaint %(reference)s (%(name)s)."),
        complaint,
    )
    return complaint


@transaction.atomic
def complaint_log(*, actor, complaint_id: int, kind: str, text: str, call_reference: str = "") -> ComplaintEvent:
    """A timeline entry: a note, evidence, a talk with the customer or a department, or a progress
    update sent to the customer (CMP-2). Talking with the customer is the first response."""
    _require_handler(actor)
    if kind not in LOG_KINDS:
        raise ApplicationError(_("Choose what to record."), code=ComplaintErrorCode.KIND_INVALID, field="kind")
    text = _text(text, field="text", label=_("the text"))
    call_reference = (call_reference or "").strip()[:100]
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    _refuse_closed(complaint)
    fields = _start_investigating(complaint)
    now = timezone.now()
    if kind in RESPONSE_KINDS and complaint.first_responded_at is None:
        complaint.first_responded_at = now
        fields.append("first_responded_at")
    if fields:
        complaint.save(update_fields=fields)
    event = _event(complaint, kind, actor=actor, text=text, call_reference=call_reference)
    _audit(actor, f"complaint.{kind}", complaint, {"event": event.pk, "text": text, "call_reference": call_reference})
    return event


@privileged_service("complaints.complaint_plan", label=gettext_lazy("plan the resolution of a complaint"))
@transaction.atomic
def complaint_plan(
    *, actor, complaint_id: int, description: str, responsible_id: int, deadline: datetime.datetime
) -> ResolutionPlan:
    """A resolution plan with a responsible person (any active employee) and a deadline (CMP-2);
    a new version each time (a reopened complaint needs a new one)."""
    _require_handler(actor)
    description = _text(description, field="description", label=_("the plan"))
    responsible = (
        Employee.objects.filter(pk=responsible_id, status=EmploymentStatus.ACTIVE).first() if responsible_id else None
    )
    if responsible is None:
        raise ApplicationError(
            _("Choose an active employee as responsible."),
            code=ComplaintErrorCode.RESPONSIBLE_INVALID,
            field="responsible",
        )
    if deadline is None or deadline <= timezone.now():
        raise ApplicationError(
            _("The plan's deadline must be in the future."), code=ComplaintErrorCode.DEADLINE_PAST, field="deadline"
        )
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    _refuse_concerned(actor, complaint, "complaints.complaint_plan")
    _refuse_closed(complaint)
    if complaint.status == ComplaintStatus.RESOLVED:
        raise ApplicationError(
            _("The complaint is resolved and waits for the follow-up visit (CMP-3)."),
            code=ComplaintErrorCode.RESOLVED,
            status=409,
        )
    fields = _start_investigating(complaint)
    if fields:
        complaint.save(update_fields=fields)
    version = complaint.plans.count() + 1
    plan = ResolutionPlan.objects.create(
        complaint=complaint,
        version=version,
        description=description,
        responsible=responsible,
        deadline=deadline,
        created_by=actor,
    )
    _event(
        complaint,
        EventKind.PLAN,
        actor=actor,
        text=description,
        data={"version": version, "responsible": responsible.pk, "deadline": deadline.isoformat()},
    )
    _audit(
        actor,
        "complaint.plan",
        complaint,
        {"version": version, "responsible": responsible.pk, "deadline": deadline, "plan": description},
    )
    return plan


@privileged_service(
    "complaints.complaint_concerned_set", label=gettext_lazy("change the agents concerned by a complaint")
)
@transaction.atomic
def complaint_concerned_set(*, actor, complaint_id: int, team_id: int | None, employee_ids) -> Complaint:
    """The investigation found who was really involved (CMP-2): the complaint team replaces the
    agents concerned and the team concerned of an open complaint. The statistics by agent and by
    team (CMP-4) and the agents' appraisal (PRF-1) count the complaint against the new names.

    Separation of duties (SEC-2): the names decide whose record the complaint is, so a handler
    named before *or* after the change may not make it (nobody takes themselves off a complaint,
    nor puts themselves on one they work); the owner cannot be named (another member of the
    complaint team owns a complaint about an agent, see :func:`complaint_assign`). Saving the same
    names again changes nothing and records nothing."""
    _require_handler(actor)
    team = None
    if team_id is not None:
        team = complaint_concerned_team_choices().filter(pk=team_id).first()
        if team is None:
            raise ApplicationError(_("Unknown team."), code=CoreErrorCode.INVALID, field="concerned_team")
    employees = _concerned_employees(actor, employee_ids)
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    before_ids = _concerned_ids(complaint)
    after_ids = [e.pk for e in employees]
    refuse_own_record(actor=actor, employee_ids=[*before_ids, *after_ids], action="complaints.complaint_concerned_set")
    _refuse_closed(complaint)
    if complaint.owner_id is not None and complaint.owner_id in after_ids:
        owner = next(e for e in employees if e.pk == complaint.owner_id)
        raise ApplicationError(
            _(
                "%(name)s owns this complaint and cannot be named as an agent concerned; assign it to "
                "another member of the complaint team first (SEC-2)."
            )
            % {"name": owner.name},
            code=ComplaintErrorCode.OWNER_CONCERNED,
            field="concerned_employees",
        )
    before_team = complaint.concerned_team_id
    after_team = team.pk if team else None
    if set(before_ids) == set(after_ids) and before_team == after_team:
        return complaint
    complaint.concerned_team = team
    complaint.save(update_fields=["concerned_team"])
    complaint.concerned_employees.set(employees)
    names = dict(Employee.objects.filter(pk__in=[*before_ids, *after_ids]).values_list("pk", "name"))
    added = [pk for pk in after_ids if pk not in before_ids]
    removed = [pk for pk in before_ids if pk not in after_ids]
    _event(
        complaint,
        EventKind.CONCERNED,
        actor=actor,
        data={
            "team": [before_team, after_team],
            "team_name": team.name if team else "",
            "added": [names[pk] for pk in added],
            "removed": [names[pk] for pk in removed],
        },
    )
    _audit(
        actor,
        "complaint.concerned_set",
        complaint,
        {"concerned_team": [before_team, after_team], "concerned_employees": [sorted(before_ids), sorted(after_ids)]},
    )
    return complaint


def _current_plan(complaint: Complaint) -> ResolutionPlan | None:
    """The plan made since the last reopening (a reopened complaint needs a new plan)."""
    last_reopen = complaint.events.filter(kind=EventKind.REOPENED).order_by("-at").values_list("at", flat=True).first()
    plans = complaint.plans.order_by("-version")
    if last_reopen is not None:
        plans = plans.filter(created_at__gt=last_reopen)
    return plans.first()


@privileged_service("complaints.complaint_resolve", label=gettext_lazy("resolve a complaint"))
@transaction.atomic
def complaint_resolve(*, actor, complaint_id: int, text: str, cause: str = "") -> Complaint:
    """Resolved under the current plan; ``cause`` records what the investigation found (CMP-4
    statistics by cause), if not known at intake."""
    _require_handler(actor)
    text = _text(text, field="text", label=_("what was done"))
    cause = _text(cause, field="cause", label=_("the cause"), required=False, limit=200)
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    _refuse_concerned(actor, complaint, "complaints.complaint_resolve")
    _refuse_closed(complaint)
    if complaint.status == ComplaintStatus.RESOLVED:
        raise ApplicationError(
            _("This complaint is already resolved."), code=ComplaintErrorCode.ALREADY_RESOLVED, status=409
        )
    if _current_plan(complaint) is None:
        raise ApplicationError(
            _("Write the resolution plan first: who is responsible and by when (CMP-2)."),
            code=ComplaintErrorCode.PLAN_MISSING,
        )
    if not cause and not complaint.cause:
        # CMP-4: the statistics count complaints by cause; a resolved complaint without one would
        # stay "(not given)" there for good.
        raise ApplicationError(
            _("Give the cause the investigation found: the statistics count complaints by cause (CMP-4)."),
            code=ComplaintErrorCode.CAUSE_MISSING,
            field="cause",
        )
    now = timezone.now()
    complaint.status = ComplaintStatus.RESOLVED
    complaint.resolved_at = now
    fields = ["status", "resolved_at"]
    if cause:
        complaint.cause = cause
        fields.append("cause")
    if complaint.first_responded_at is None:
        complaint.first_responded_at = now
        fields.append("first_responded_at")
    complaint.save(update_fields=fields)
    _event(complaint, EventKind.RESOLVED, actor=actor, text=text)
    _audit(actor, "complaint.resolve", complaint, {"status": ComplaintStatus.RESOLVED, "text": text, "cause": cause})
    return complaint


def complaint_attach(*, actor, complaint_id: int, upload, text: str = "") -> ComplaintAttachment:
    """Attach evidence (CMP-2): checked by content first, stored privately, removed again if
    anything refuses it (files are not transactional)."""
    _require_handler(actor)
    if not upload:
        raise ApplicationError(_("Choose a file to attach."), code=ComplaintErrorCode.ATTACHMENT_MISSING, field="file")
    facts = upload_check(
        upload, max_bytes=settings.COMPLAINT_ATTACHMENT_MAX_BYTES, codes=_ATTACHMENT_CODES, name="attachment"
    )
    path = upload_store(checked=facts, prefix="complaints")
    try:
        return _attach(actor=actor, complaint_id=complaint_id, facts=facts, path=path, text=text)
    except BaseException:
        private_storage().delete(path)
        raise


@transaction.atomic
def _attach(*, actor, complaint_id: int, facts: dict, path: str, text: str) -> ComplaintAttachment:
    text = _text(text, field="text", label=_("the text"), required=False)
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    _refuse_closed(complaint)
    fields = _start_investigating(complaint)
    if fields:
        complaint.save(update_fields=fields)
    event = _event(
        complaint, EventKind.EVIDENCE, actor=actor, text=text or facts["original_name"], data={"file": facts["sha256"]}
    )
    attachment = ComplaintAttachment.objects.create(
        complaint=complaint,
        event=event,
        path=path,
        original_name=facts["original_name"],
        content_type=facts["content_type"],
        size=facts["size"],
        sha256=facts["sha256"],
        uploaded_by=actor,
    )
    _audit(
        actor,
        "complaint.attach",
        complaint,
        {"attachment": attachment.pk, "sha256": facts["sha256"], "size": facts["size"], "text": text},
    )
    return attachment


def complaint_attachment_open(*, actor, attachment_id: int):
    """Open an attachment for someone who may see its complaint; every read is audited.
    Returns (attachment, open binary file); NotFoundError otherwise."""
    attachment = ComplaintAttachment.objects.select_related("complaint").filter(pk=attachment_id).first()
    if attachment is None or not complaint_list(user=actor).filter(pk=attachment.complaint_id).exists():
        raise NotFoundError(_("Attachment not found."))
    handle = private_open_audited(
        attachment.path,
        audit=lambda: _audit(actor, "complaint.attachment_view", attachment.complaint, {"attachment": attachment.pk}),
        not_found_message=_("Attachment not found."),
    )
    return attachment, handle


# --- Follow-up and closing (CMP-3) -------------------------------------------------------------


@privileged_service("complaints.complaint_follow_up", label=gettext_lazy("record the follow-up visit of a complaint"))
@transaction.atomic
def complaint_follow_up(*, actor, complaint_id: int, satisfaction: int, comment: str = "") -> FollowUp:
    """The follow-up visit: satisfied → closed; not satisfied → reopened, a new plan needed. The
    visit's ``complaint`` is the complaint as it is now (closed or investigating again)."""
    _require_handler(actor)
    try:
        satisfaction = int(satisfaction)
    except (TypeError, ValueError):
        satisfaction = 0
    if not 1 <= satisfaction <= 5:
        raise ApplicationError(
            _("Satisfaction is a score from 1 to 5."),
            code=ComplaintErrorCode.SATISFACTION_INVALID,
            field="satisfaction",
        )
    comment = _text(comment, field="comment", label=_("the comment"), required=False, limit=2000)
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    _refuse_concerned(actor, complaint, "complaints.complaint_follow_up")
    _refuse_closed(complaint)
    if complaint.status != ComplaintStatus.RESOLVED:
        raise ApplicationError(
            _("The follow-up visit comes after the complaint is resolved (CMP-3)."),
            code=ComplaintErrorCode.NOT_RESOLVED,
            status=409,
        )
    now = timezone.now()
    follow_up = FollowUp.objects.create(complaint=complaint, satisfaction=satisfaction, comment=comment, by=actor)
    policy = policy_in_force(ComplaintPolicy, timezone.localdate(now))
    satisfied = satisfaction >= policy.satisfied_from_score
    complaint.satisfaction = satisfaction
    _event(complaint, EventKind.FOLLOW_UP, actor=actor, text=comment, data={"satisfaction": satisfaction})
    if satisfied:
        complaint.status = ComplaintStatus.CLOSED
        complaint.closed_at = now
        complaint.closed_by = actor
        complaint.save(update_fields=["satisfaction", "status", "closed_at", "closed_by", *_stop_clock(complaint, now)])
        _event(complaint, EventKind.CLOSED, actor=actor, data={"satisfied": True})
    else:
        # CMP-3: not satisfied → further analysis and action until satisfied.
        _first, resolution_due = rules.deadlines(received_at=now, urgency=complaint.urgency, policy=policy)
        complaint.status = ComplaintStatus.INVESTIGATING
        complaint.resolved_at = None
        complaint.resolution_due = resolution_due
        complaint.escalation_level = min(complaint.escalation_level, 1)
        complaint.reopen_count += 1
        complaint.save(
            update_fields=[
                "satisfaction",
                "status",
                "resolved_at",
                "resolution_due",
                "escalation_level",
                "reopen_count",
            ]
        )
        _event(complaint, EventKind.REOPENED, actor=actor, data={"satisfaction": satisfaction})
    _audit(
        actor,
        "complaint.follow_up",
        complaint,
        {"satisfaction": satisfaction, "satisfied": satisfied, "status": complaint.status, "comment": comment},
    )
    return follow_up


@privileged_service("complaints.complaint_close", label=gettext_lazy("close a complaint"))
@transaction.atomic
def complaint_close(*, actor, complaint_id: int, reason: str) -> Complaint:
    """A company leader closes an open complaint with a reason (CMP-3: the customer stays
    unsatisfied but nothing more can be done). Handlers close only through a satisfied follow-up."""
    if not has_role(actor, Role.COMPANY_LEADER):
        raise PermissionDeniedError(
            _(
                "A complaint closes after a satisfied follow-up visit; only a company leader closes it "
                "otherwise (CMP-3)."
            )
        )
    reason = _text(reason, field="reason", label=_("the reason"), limit=500)
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    _refuse_concerned(actor, complaint, "complaints.complaint_close")
    _refuse_closed(complaint)
    now = timezone.now()
    complaint.status = ComplaintStatus.CLOSED
    complaint.closed_at = now
    complaint.closed_by = actor
    complaint.close_reason = reason
    complaint.save(update_fields=["status", "closed_at", "closed_by", "close_reason", *_stop_clock(complaint, now)])
    _event(complaint, EventKind.CLOSED, actor=actor, text=reason, data={"by_leader": True})
    _audit(actor, "complaint.close", complaint, {"status": ComplaintStatus.CLOSED, "reason": reason})
    return complaint


# --- SLA clock (CMP-1, CMP-2) ------------------------------------------------------------------------


@privileged_service("complaints.complaint_pause", label=gettext_lazy("pause the clock of a complaint"))
@transaction.atomic
def complaint_pause(*, actor, complaint_id: int, reason: str) -> Complaint:
    """Pause the SLA clock while waiting for the customer."""
    _require_handler(actor)
    reason = _text(reason, field="reason", label=_("the reason"), limit=500)
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    _refuse_concerned(actor, complaint, "complaints.complaint_pause")
    _refuse_closed(complaint)
    if complaint.paused_since is not None:
        raise ApplicationError(_("The clock is already paused."), code=ComplaintErrorCode.ALREADY_PAUSED, status=409)
    complaint.paused_since = timezone.now()
    complaint.save(update_fields=["paused_since"])
    _event(complaint, EventKind.PAUSED, actor=actor, text=reason)
    _audit(actor, "complaint.pause", complaint, {"reason": reason})
    return complaint


@transaction.atomic
def complaint_resume(*, actor, complaint_id: int, now: datetime.datetime | None = None) -> Complaint:
    """Resume the clock: the deadlines not yet met move forward by the time it was paused."""
    _require_handler(actor)
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    _refuse_closed(complaint)
    if complaint.paused_since is None:
        raise ApplicationError(_("The clock is not paused."), code=ComplaintErrorCode.NOT_PAUSED, status=409)
    now = now or timezone.now()
    paused = rules.paused_for(complaint.paused_since, now)
    fields = ["paused_since", "paused_seconds"]
    if complaint.first_responded_at is None:
        complaint.first_response_due += paused
        fields.append("first_response_due")
    if complaint.resolved_at is None:
        complaint.resolution_due += paused
        fields.append("resolution_due")
    complaint.paused_since = None
    complaint.paused_seconds += int(paused.total_seconds())
    complaint.save(update_fields=fields)
    _event(complaint, EventKind.RESUMED, actor=actor, data={"paused_seconds": int(paused.total_seconds())})
    _audit(actor, "complaint.resume", complaint, {"paused_seconds": int(paused.total_seconds())})
    return complaint


@transaction.atomic
def complaint_escalate_overdue(*, now: datetime.datetime | None = None) -> dict:
    """The SLA job (every few minutes): raise each overdue open complaint to its escalation level
    (1: first response overdue → the complaint team; 2: resolution overdue → and the company
    leaders). A complaint is escalated once per level: running twice changes nothing."""
    now = now or timezone.now()
    candidates = list(
        Complaint.objects.select_for_update(skip_locked=True)
        .exclude(status=ComplaintStatus.CLOSED)
        .filter(paused_since__isnull=True, escalation_level__lt=2)
        .filter(
            Q(first_responded_at__isnull=True, first_response_due__lt=now)
            | Q(resolved_at__isnull=True, resolution_due__lt=now)
        )
    )
    raised = {1: 0, 2: 0}
    handlers = leaders = None
    for complaint in candidates:
        level = rules.escalation_level(
            first_response_due=complaint.first_response_due,
            first_responded_at=complaint.first_responded_at,
            resolution_due=complaint.resolution_due,
            resolved_at=complaint.resolved_at,
            paused_since=complaint.paused_since,
            now=now,
        )
        if level <= complaint.escalation_level:
            continue
        before = complaint.escalation_level
        complaint.escalation_level = level
        complaint.save(update_fields=["escalation_level"])
        _event(complaint, EventKind.ESCALATED, data={"level": level, "from": before})
        _audit(None, "complaint.escalate", complaint, {"escalation_level": [before, level]})
        raised[level] += 1
        if level == 2:
            leaders = leaders if leaders is not None else _alert_recipients(leaders=True)
            recipients = leaders
        else:
            handlers = handlers if handlers is not None else _alert_recipients(leaders=False)
            recipients = handlers
        _notify(
            recipients,
            "complaint.overdue",
            gettext_lazy("Overdue complaint %(reference)s (level %(level)s)"),
            gettext_lazy("Complaint %(reference)s (%(name)s) is past its deadline (CMP-2)."),
            complaint,
            {"level": level},
        )
    return {"checked": len(candidates), "level_1": raised[1], "level_2": raised[2]}


# --- Contact details (SEC-2) -----------------------------------------------------------------------


@transaction.atomic
def complaint_contact_reveal(*, actor, complaint_id: int) -> dict:
    """Show one complaint's phone and e-mail to someone whose role needs them; audited (the event
    says who looked at whose contact, never the contact itself)."""
    if not complaint_can_reveal_contact(user=actor):
        raise PermissionDeniedError(_("Your role does not need the customer's contact details (SEC-2)."))
    complaint = _lock(actor=actor, complaint_id=complaint_id)
    _audit(
        actor,
        "complaint.contact_reveal",
        complaint,
        {"fields": [f for f in ("phone", "email") if getattr(complaint, f)]},
    )
    return {"phone": complaint.phone, "email": complaint.email}
