"""The annual plan pages (TRN-1): the plans, a plan with its totals and needs panel, adding and
adjusting items (a new version with its reason once the plan is in force), the history of versions.
Thin: parse, call one service or selector, render."""

from decimal import Decimal

from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from callcenter import inputs
from callcenter.pages import action_run, form_status, form_submit, paginate
from callcenter.permissions import role_required
from callcenter.roles import has_role
from callcenter.selectors import employee_choices, hire_position_choices, team_choices
from training import selectors, services
from training.forms import NeedsFilterForm, PlanCreateForm, PlanItemForm, PlanReasonForm
from training.models import AudienceKind, NeedSource, TopicArea

PAGE_SIZE = 20
DEFAULT_THRESHOLD = Decimal("70")
_PREFILL = ("title", "need", "need_source", "topic_area", "indicator_code", "audience_kind", "reason")


@role_required(*selectors.PLAN_READ_ROLES)
@require_http_methods(["GET", "POST"])
def plan_list(request):
    user = request.user
    form = PlanCreateForm(request.POST or None)
    if form_submit(
        request,
        form,
        lambda data: services.plan_create(actor=user, **data),
        success=_("The plan is created as a draft: add its items, then put it in force."),
    ):
        return redirect("training:plan_detail", form.result.pk)
    return render(
        request,
        "training/plan/list.html",
        {
            "form": form,
            "page_obj": paginate(request, selectors.plan_list(user=user), PAGE_SIZE),
            "can_edit": user_can_edit(user),
            "nav_active": "training_plan",
        },
        status=form_status(form),
    )


def user_can_edit(user) -> bool:
    return has_role(user, *selectors.PLAN_EDIT_ROLES)


@role_required(*selectors.PLAN_READ_ROLES)
def plan_detail(request, pk: int):
    user = request.user
    version = inputs.safe_id(request.GET.get("version"))
    overview = selectors.plan_overview(user=user, plan_id=pk, version_number=version)
    needs_form = NeedsFilterForm(request.GET or None)
    threshold = DEFAULT_THRESHOLD
    if needs_form.is_bound and needs_form.is_valid() and needs_form.cleaned_data.get("threshold"):
        threshold = Decimal(needs_form.cleaned_data["threshold"])
    return render(
        request,
        "training/plan/detail.html",
        {
            **overview,
            "needs": selectors.plan_needs(user=user, threshold=threshold),
            "needs_form": needs_form,
            "threshold": threshold,
            "can_edit": user_can_edit(user),
            "nav_active": "training_plan",
        },
    )


def _item_form(request, data=None, initial=None):
    user = request.user
    wide = selectors.PLAN_EDIT_ROLES
    return PlanItemForm(
        data,
        initial=initial,
        courses=selectors.plan_course_choices(),
        indicators=selectors.plan_indicator_choices(),
        positions=hire_position_choices(),
        teams=team_choices(user=user, company_wide_roles=wide),
        people=employee_choices(user=user, company_wide_roles=wide),
    )


def _prefill(request) -> dict:
    """A need's "add a plan item for this" link prefills the form (values checked on submit)."""
    initial = {name: request.GET[name][:2000] for name in _PREFILL if request.GET.get(name)}
    if initial.get("need_source") not in NeedSource.values:
        initial.pop("need_source", None)
    if initial.get("topic_area") not in TopicArea.values:
        initial.pop("topic_area", None)
    if initial.get("audience_kind") not in AudienceKind.values:
        initial.pop("audience_kind", None)
    team = inputs.safe_id(request.GET.get("team"))
    if team:
        initial["audience_kind"] = AudienceKind.TEAMS
        initial["audience_teams"] = [team]
    return initial


@role_required(*selectors.PLAN_EDIT_ROLES)
@require_http_methods(["GET", "POST"])
def plan_item_new(request, pk: int):
    user = request.user
    overview = selectors.plan_overview(user=user, plan_id=pk)
    form = _item_form(request, request.POST or None, initial=_prefill(request))
    if form_submit(
        request,
        form,
        lambda data: services.plan_item_add(actor=user, plan_id=pk, **form.service_data()),
        success=_("The item is in the plan."),
    ):
        return redirect("training:plan_detail", pk)
    return render(
        request,
        "training/plan/item_form.html",
        {**overview, "form": form, "editing": None, "nav_active": "training_plan"},
        status=form_status(form),
    )


@role_required(*selectors.PLAN_EDIT_ROLES)
@require_http_methods(["GET", "POST"])
def plan_item_edit(request, pk: int, lineage):
    user = request.user
    overview = selectors.plan_overview(user=user, plan_id=pk)
    item = selectors.plan_item_get(user=user, plan_id=pk, lineage=lineage)
    initial = selectors.plan_item_initial(item)
    if request.GET.get("reason"):
        initial["reason"] = request.GET["reason"][:2000]
    form = _item_form(request, request.POST or None, initial=initial)
    if form_submit(
        request,
        form,
        lambda data: services.plan_item_change(actor=user, plan_id=pk, lineage=lineage, **form.service_data()),
        success=_("The item is changed."),
    ):
        return redirect("training:plan_detail", pk)
    return render(
        request,
        "training/plan/item_form.html",
        {**overview, "form": form, "editing": item, "nav_active": "training_plan"},
        status=form_status(form),
    )


@role_required(*selectors.PLAN_EDIT_ROLES)
@require_POST
def plan_item_remove(request, pk: int, lineage):
    form = PlanReasonForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    action_run(
        request,
        lambda: services.plan_item_remove(actor=request.user, plan_id=pk, lineage=lineage, reason=reason),
        success=_("The item is removed from the plan."),
    )
    return redirect("training:plan_detail", pk)


@role_required(*selectors.PLAN_EDIT_ROLES)
@require_POST
def plan_publish(request, pk: int):
    action_run(
        request,
        lambda: services.plan_publish(actor=request.user, plan_id=pk),
        success=_("The plan is in force. From now on every change is an adjustment with its reason."),
    )
    return redirect("training:plan_detail", pk)


@role_required(*selectors.PLAN_READ_ROLES)
def plan_history(request, pk: int):
    user = request.user
    return render(
        request,
        "training/plan/history.html",
        {
            "plan": selectors.plan_get(user=user, pk=pk),
            "history": selectors.plan_history(user=user, plan_id=pk),
            "nav_active": "training_plan",
        },
    )


urlpatterns = [
    path("plan/", plan_list, name="plan_list"),
    path("plan/<int:pk>/", plan_detail, name="plan_detail"),
    path("plan/<int:pk>/publish/", plan_publish, name="plan_publish"),
    path("plan/<int:pk>/history/", plan_history, name="plan_history"),
    path("plan/<int:pk>/items/new/", plan_item_new, name="plan_item_new"),
    path("plan/<int:pk>/items/<uuid:lineage>/edit/", plan_item_edit, name="plan_item_edit"),
    path("plan/<int:pk>/items/<uuid:lineage>/remove/", plan_item_remove, name="plan_item_remove"),
]
