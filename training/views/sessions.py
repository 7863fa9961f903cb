"""Training pages: sessions, enrolment with the roster clash, the trainer's attendance sheet and
scores, the satisfaction survey (TRN-2). Thin: parse, call one service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from callcenter.duties import is_own_record
from callcenter.inputs import safe_id
from callcenter.pages import action_run, form_status, form_submit, paginate
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role
from callcenter.selectors import employee_of, team_choices
from training import selectors, services
from training.forms import (
    AttendanceMarkForm,
    EnrolForm,
    SatisfactionForm,
    ScoreForm,
    SessionCancelForm,
    SessionFilterForm,
    SessionForm,
)
from training.rules import enrolment_cancellable

PAGE_SIZE = 20
ENROLMENTS_PAGE_SIZE = 50


@login_only
@require_GET
def session_list(request):
    form = SessionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sessions = selectors.session_list(user=request.user, filters=filters)
    return render(
        request,
        "training/sessions/list.html",
        {
            "form": form,
            "page_obj": paginate(request, sessions, PAGE_SIZE),
            "courses": selectors.course_list(user=request.user).only("pk", "code", "title"),
            "trainers": selectors.session_trainer_choices(),
            "can_create": selectors.course_write_allowed(request.user),
            "nav_active": "training_sessions",
        },
    )


def _session_form_data(data: dict) -> dict:
    return {**data, "online_link": data.get("online_link") or "", "provider": data.get("provider") or ""}


@role_required(Role.HR, Role.TRAINER)
@require_http_methods(["GET", "POST"])
def session_new(request):
    course = selectors.course_get(user=request.user, pk=safe_id(request.GET.get("course")) or 0)
    form = SessionForm(request.POST or None, trainers=selectors.session_trainer_choices())
    if form_submit(
        request,
        form,
        lambda data: services.session_create(actor=request.user, course_id=course.pk, **_session_form_data(data)),
        success=_("The session has been scheduled."),
    ):
        return redirect("training:session_detail", pk=form.result.pk)
    return render(
        request,
        "training/sessions/form.html",
        {"form": form, "course": course, "session": None, "nav_active": "training_sessions"},
        status=form_status(form),
    )


@role_required(Role.HR, Role.TRAINER)
@require_http_methods(["GET", "POST"])
def session_edit(request, pk: int):
    session = selectors.session_get(user=request.user, pk=pk)
    if not selectors.session_manage_allowed(request.user, session):
        raise PermissionDenied
    initial = {
        "starts_at": timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(session.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "place": session.place,
        "online_link": session.online_link,
        "trainer_id": session.trainer_id,
        "provider": session.provider,
        "capacity": session.capacity,
    }
    form = SessionForm(request.POST or None, initial=initial, trainers=selectors.session_trainer_choices())
    if form_submit(
        request,
        form,
        lambda data: services.session_update(actor=request.user, session_id=session.pk, **_session_form_data(data)),
        success=_("The session has been saved."),
    ):
        return redirect("training:session_detail", pk=session.pk)
    return render(
        request,
        "training/sessions/form.html",
        {"form": form, "course": session.course, "session": session, "nav_active": "training_sessions"},
        status=form_status(form),
    )


@login_only
@require_GET
def session_detail(request, pk: int):
    user = request.user
    session = selectors.session_get(user=user, pk=pk)
    me = employee_of(user)
    enrolments = selectors.session_enrolments(user=user, session=session)
    mine = next((e for e in enrolments if me is not None and e.employee_id == me.pk), None) if me else None
    open_now = enrolment_cancellable(session.starts_at, timezone.now()) and session.status != "cancelled"
    can_self_enrol = (
        me is not None and mine is None and open_now and session.course.open_enrolment and session.seats_left > 0
    )
    return render(
        request,
        "training/sessions/detail.html",
        {
            "session": session,
            "page_obj": paginate(request, enrolments, ENROLMENTS_PAGE_SIZE),
            "mine": mine,
            "open_now": open_now,
            "can_self_enrol": can_self_enrol,
            "can_manage": selectors.session_manage_allowed(user, session),
            "can_mark": selectors.session_mark_allowed(user, session),
            "can_enrol_others": open_now and selectors.enrolment_candidates(user=user, session=session).exists(),
            "survey_form": SatisfactionForm() if mine and mine.attendance in ("present", "late") else None,
            "satisfaction": selectors.session_satisfaction(session=session),
            "cancel_form": SessionCancelForm(),
            "nav_active": "training_sessions",
        },
    )


@login_only
@require_POST
def session_cancel(request, pk: int):
    form = SessionCancelForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    action_run(
        request,
        lambda: services.session_cancel(actor=request.user, session_id=pk, reason=reason),
        success=_("The session has been cancelled; the enrolled people have been notified."),
    )
    return redirect("training:session_detail", pk=pk)


@login_only
@require_http_methods(["GET", "POST"])
def session_enrol(request, pk: int):
    """Two steps (TRN-2): choose the people, see each one's roster shift the session overlaps,
    then confirm."""
    user = request.user
    session = selectors.session_get(user=user, pk=pk)
    people = list(selectors.enrolment_candidates(user=user, session=session))
    if not people:
        raise PermissionDenied
    teams = team_choices(user=user).filter(pk__in={p.team_id for p in people if p.team_id})
    form = EnrolForm(request.POST or None, people=people, teams=teams)
    preview = None
    if request.method == "POST" and form.is_valid():
        ids = form.cleaned_data["employee_ids"]
        if request.POST.get("step") == "confirm" and form_submit(
            request,
            form,
            lambda data: services.enrolment_create(actor=user, session_id=session.pk, employee_ids=ids),
            success=lambda created: _("%(count)d people enrolled.") % {"count": len(created)},
        ):
            return redirect("training:session_detail", pk=session.pk)
        preview = selectors.enrolment_preview(user=user, session=session, employee_ids=ids)
    return render(
        request,
        "training/sessions/enrol.html",
        {"session": session, "form": form, "preview": preview, "nav_active": "training_sessions"},
        status=form_status(form),
    )


@login_only
@require_POST
def session_enrol_self(request, pk: int):
    me = employee_of(request.user)
    if me is None:
        raise PermissionDenied
    action_run(
        request,
        lambda: services.enrolment_create(actor=request.user, session_id=pk, employee_ids=[me.pk]),
        success=_("You are enrolled."),
    )
    return redirect("training:session_detail", pk=pk)


@login_only
@require_POST
def enrolment_cancel(request, pk: int):
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    action_run(
        request,
        lambda: services.enrolment_cancel(actor=request.user, enrolment_id=enrolment.pk),
        success=_("The enrolment has been cancelled."),
    )
    return redirect("training:session_detail", pk=enrolment.session_id)


@login_only
@require_GET
def session_attendance(request, pk: int):
    session, enrolments = selectors.session_attendance_sheet(user=request.user, pk=pk)
    for enrolment in enrolments:
        enrolment.own = is_own_record(actor=request.user, employee_id=enrolment.employee_id)
    return render(
        request,
        "training/sessions/attendance.html",
        {"session": session, "enrolments": enrolments, "nav_active": "training_sessions"},
    )


def _sheet_answer(request, session_id: int, enrolment_id: int):
    """After a mark or a score: through htmx the enrollee's row in its new state; else back."""
    if not request.htmx:
        return redirect("training:session_attendance", pk=session_id)
    session, enrolments = selectors.session_attendance_sheet(user=request.user, pk=session_id)
    enrolment = next((e for e in enrolments if e.pk == enrolment_id), None)
    if enrolment is None:
        return redirect("training:session_attendance", pk=session_id)
    enrolment.own = is_own_record(actor=request.user, employee_id=enrolment.employee_id)
    return render(request, "training/sessions/attendance.html#enrollee", {"session": session, "enrolment": enrolment})


@login_only
@require_POST
def enrolment_mark(request, pk: int):
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    form = AttendanceMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Mark present, late or absent."))
        return _sheet_answer(request, enrolment.session_id, enrolment.pk)
    action_run(
        request,
        lambda: services.session_attendance_mark(
            actor=request.user, enrolment_id=enrolment.pk, mark=form.cleaned_data["mark"]
        ),
        success=_("Attendance saved."),
    )
    return _sheet_answer(request, enrolment.session_id, enrolment.pk)


@login_only
@require_POST
def enrolment_score(request, pk: int):
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    form = ScoreForm(request.POST)
    if form.is_valid():
        action_run(
            request,
            lambda: services.session_score_set(
                actor=request.user, enrolment_id=enrolment.pk, score=form.cleaned_data["score"]
            ),
            success=_("Score saved."),
        )
    else:
        messages.error(request, _("A score is from 0 to 100."))
    return _sheet_answer(request, enrolment.session_id, enrolment.pk)


@login_only
@require_POST
def session_survey(request, pk: int):
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    form = SatisfactionForm(request.POST)
    form_submit(
        request,
        form,
        lambda data: services.satisfaction_submit(actor=request.user, enrolment_id=enrolment.pk, **data),
        success=_("Thank you for your answer."),
    )
    if form.errors:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect("training:session_detail", pk=enrolment.session_id)


urlpatterns = [
    path("sessions/", session_list, name="session_list"),
    path("sessions/new/", session_new, name="session_new"),
    path("sessions/<int:pk>/", session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/enrol/", session_enrol, name="session_enrol"),
    path("sessions/<int:pk>/enrol-self/", session_enrol_self, name="session_enrol_self"),
    path("sessions/<int:pk>/attendance/", session_attendance, name="session_attendance"),
    path("enrolments/<int:pk>/cancel/", enrolment_cancel, name="enrolment_cancel"),
    path("enrolments/<int:pk>/attendance/", enrolment_mark, name="enrolment_mark"),
    path("enrolments/<int:pk>/score/", enrolment_score, name="enrolment_score"),
    path("enrolments/<int:pk>/survey/", session_survey, name="enrolment_survey"),
]
