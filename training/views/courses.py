"""Training pages: the course catalogue (TRN-1, TRN-2). Thin: parse, call one service, render."""

from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from callcenter.pages import form_status, form_submit, paginate
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role, has_role
from training import selectors, services
from training.forms import CourseFilterForm, CourseForm
from training.models import DeliveryMode

PAGE_SIZE = 20
SESSIONS_SHOWN = 20


@login_only
@require_GET
def course_catalogue(request):
    form = CourseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    courses = selectors.course_list(user=request.user, filters=filters)
    return render(
        request,
        "training/courses/catalogue.html",
        {
            "form": form,
            "page_obj": paginate(request, courses, PAGE_SIZE),
            "can_write": selectors.course_write_allowed(request.user),
            "nav_active": "training_courses",
        },
    )


@role_required(Role.HR, Role.TRAINER)
@require_http_methods(["GET", "POST"])
def course_new(request):
    form = CourseForm(request.POST or None)
    if form_submit(
        request,
        form,
        lambda data: services.course_create(actor=request.user, **data),
        success=_("The course has been added to the catalogue."),
    ):
        return redirect("training:course_detail", pk=form.result.pk)
    return render(
        request,
        "training/courses/form.html",
        {"form": form, "course": None, "nav_active": "training_courses"},
        status=form_status(form),
    )


@role_required(Role.HR, Role.TRAINER)
@require_http_methods(["GET", "POST"])
def course_edit(request, pk: int):
    course = selectors.course_get(user=request.user, pk=pk)
    form = CourseForm(request.POST or None, instance=course)
    if form_submit(
        request,
        form,
        lambda data: services.course_update(actor=request.user, course_id=course.pk, **data),
        success=_("The course has been saved."),
    ):
        return redirect("training:course_detail", pk=course.pk)
    return render(
        request,
        "training/courses/form.html",
        {"form": form, "course": course, "nav_active": "training_courses"},
        status=form_status(form),
    )


@login_only
@require_GET
def course_detail(request, pk: int):
    course = selectors.course_get(user=request.user, pk=pk)
    sessions = selectors.session_list(user=request.user, filters={"course": course.pk})
    online = course.delivery_mode == DeliveryMode.ONLINE
    return render(
        request,
        "training/courses/detail.html",
        {
            "course": course,
            "sessions": list(sessions[:SESSIONS_SHOWN]),
            "can_write": selectors.course_write_allowed(request.user),
            # The self-study block (material, progress, the assessment) of an online course, and the
            # effect page's link for those who read it (TRN-2, TRN-3).
            "study": selectors.study_course_summary(user=request.user, course=course) if online else None,
            "can_read_effect": has_role(request.user, *selectors.EFFECT_READ_ROLES),
            "nav_active": "training_courses",
        },
    )


urlpatterns = [
    path("courses/", course_catalogue, name="course_catalogue"),
    path("courses/new/", course_new, name="course_new"),
    path("courses/<int:pk>/", course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", course_edit, name="course_edit"),
]
