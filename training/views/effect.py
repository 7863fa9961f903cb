"""The effect pages (TRN-3): per course and per plan item, the attendance rate, scores, pass rate,
satisfaction and the change in the related appraisal indicator (participants against the
non-participants of the same teams), with a chart; HR records the conclusion here and opens a plan
adjustment for the item from it. Thin: parse, call one selector or service, render."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from callcenter import inputs
from callcenter.pages import form_status, form_submit, paginate
from callcenter.permissions import role_required
from callcenter.roles import has_role
from training import selectors, services
from training.forms import EffectReviewForm

PAGE_SIZE = 30


@role_required(*selectors.EFFECT_READ_ROLES)
def effect_index(request):
    return render(
        request,
        "training/effect/index.html",
        {
            "page_obj": paginate(request, selectors.effect_course_choices(user=request.user), PAGE_SIZE),
            "nav_active": "training_effect",
        },
    )


def _page(request, context: dict, review_action, redirect_to):
    user = request.user
    can_review = has_role(user, *selectors.EFFECT_REVIEW_ROLES)
    form = EffectReviewForm(request.POST or None) if can_review else None
    if form is not None and form_submit(
        request, form, lambda data: review_action(data), success=_("The conclusion is recorded.")
    ):
        return redirect_to()
    if request.method == "POST" and form is None:
        raise PermissionDenied  # TRN-3: HR records the conclusion; the others read
    figures = context["figures"]
    chart = figures["indicator"].get("chart")
    return render(
        request,
        "training/effect/detail.html",
        {
            **context,
            "form": form,
            "chart": chart,
            "can_review": can_review,
            "can_adjust": has_role(user, *selectors.PLAN_EDIT_ROLES),
            "nav_active": "training_effect",
        },
        status=form_status(form),
    )


@role_required(*selectors.EFFECT_READ_ROLES)
@require_http_methods(["GET", "POST"])
def effect_course(request, pk: int):
    year = inputs.safe_id(request.GET.get("year"))
    year = year if year and 2000 <= year <= 2100 else None
    context = selectors.effect_course(
        user=request.user, course_id=pk, indicator_code=request.GET.get("indicator", "")[:40], year=year
    )
    return _page(
        request,
        context,
        lambda data: services.effect_review_record(actor=request.user, course_id=pk, **data),
        lambda: redirect(request.get_full_path()),
    )


@role_required(*selectors.EFFECT_READ_ROLES)
@require_http_methods(["GET", "POST"])
def effect_item(request, pk: int, lineage):
    context = selectors.effect_plan_item(user=request.user, plan_id=pk, lineage=lineage)
    return _page(
        request,
        context,
        lambda data: services.effect_review_record(actor=request.user, plan_id=pk, lineage=lineage, **data),
        lambda: redirect("training:effect_item", pk, lineage),
    )


urlpatterns = [
    path("effect/", effect_index, name="effect_index"),
    path("effect/courses/<int:pk>/", effect_course, name="effect_course"),
    path("effect/plan/<int:pk>/items/<uuid:lineage>/", effect_item, name="effect_item"),
]
