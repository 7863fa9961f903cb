"""Performance pages: indicators and per-post templates (PRF-1), HR only. Thin: parse, call one
service or selector, render; the services explain every refusal."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from callcenter import inputs
from callcenter.pages import action_run, form_status, form_submit, paginate
from callcenter.permissions import role_required
from callcenter.selectors import position_list
from performance import selectors, services
from performance.forms import ROWS_MIN, IndicatorForm, TemplateForm
from performance.models import IndicatorGroup

PAGE_SIZE = 25
HR = services.SETUP_ROLES
NAV = "performance_setup"


# --- Indicators ------------------------------------------------------------------------------------


@role_required(*HR)
def indicator_list(request):
    groups = selectors.indicators_by_group()
    context = {
        "groups": groups,
        "count": sum(len(items) for _g, _l, items in groups),
        "nav_active": NAV,
    }
    return render(request, "performance/setup/indicator_list.html", context)


@role_required(*HR)
@require_http_methods(["GET", "POST"])
def indicator_create(request):
    form = IndicatorForm(request.POST or None, initial={"group": request.GET.get("group") or IndicatorGroup.RESULTS})
    if form_submit(
        request,
        form,
        lambda _data: services.indicator_create(actor=request.user, **form.service_arguments()),
        success=lambda indicator: _("Indicator %(name)s created.") % {"name": indicator.display_name},
    ):
        return redirect("performance:indicator_list")
    context = {"form": form, "indicator": None, "nav_active": NAV}
    return render(request, "performance/setup/indicator_form.html", context, status=form_status(form))


@role_required(*HR)
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int):
    indicator = selectors.indicator_get(pk=pk)
    initial = {f: getattr(indicator, f) for f in ("code", *services.INDICATOR_FIELDS)}
    form = IndicatorForm(request.POST or None, initial=initial, editing=True)
    if form_submit(
        request,
        form,
        lambda _data: services.indicator_update(
            actor=request.user, indicator_id=indicator.pk, **form.service_arguments()
        ),
        success=lambda saved: _("Indicator %(name)s saved.") % {"name": saved.display_name},
    ):
        return redirect("performance:indicator_list")
    context = {"form": form, "indicator": indicator, "nav_active": NAV}
    return render(request, "performance/setup/indicator_form.html", context, status=form_status(form))


@role_required(*HR)
@require_POST
def indicator_deactivate(request, pk: int):
    action_run(
        request,
        lambda: services.indicator_deactivate(actor=request.user, indicator_id=pk),
        success=lambda indicator: _("Indicator %(name)s deactivated.") % {"name": indicator.display_name},
    )
    return redirect("performance:indicator_list")


@role_required(*HR)
@require_POST
def indicator_defaults(request):
    created = services.indicator_defaults_install(actor=request.user)
    if created:
        messages.success(request, _("%(count)s default indicator(s) of PRF-1 installed.") % {"count": created})
    else:
        messages.info(request, _("All default indicators of PRF-1 are installed already."))
    return redirect("performance:indicator_list")


# --- Templates -----------------------------------------------------------------------------------


@role_required(*HR)
def template_list(request):
    """Every post with its active template (sum, split by group) and its replaced versions."""
    overview = selectors.position_template_overview()
    page = paginate(request, overview, PAGE_SIZE)
    rows = [
        {"position": p, "template": t, "summary": selectors.template_summary(t) if t else None}
        for p, t in page.object_list
    ]
    context = {
        "page_obj": page,
        "rows": rows,
        "missing": sum(1 for _p, t in overview if t is None),
        "nav_active": NAV,
    }
    return render(request, "performance/setup/template_list.html", context)


def _editor_context(form, *, template, rows, position=None):
    indicators = list(selectors.indicator_list(filters={"active": True}))
    rows = list(rows)
    rows += [{"indicator": "", "weight": ""}] * max(0, ROWS_MIN - len(rows))
    history = []
    if template is not None:
        history = list(
            selectors.appraisal_template_list(filters={"position": template.position_id, "active": False})[:10]
        )
    return {
        "form": form,
        "template": template,
        "readonly": template is not None and not template.active,
        "position": position or (template.position if template else None),
        "rows": rows,
        "indicators": indicators,
        "groups": IndicatorGroup.choices,
        "history": history,
        "summary": selectors.template_summary(template) if template else None,
        "nav_active": NAV,
    }


def _rows_of(template) -> list[dict]:
    return [{"indicator": str(item.indicator_id), "weight": item.weight} for item in template.items.all()]


@role_required(*HR)
@require_http_methods(["GET", "POST"])
def template_create(request):
    position_id = inputs.safe_id(request.GET.get("position"))
    position = position_list().filter(pk=position_id).first() if position_id else None
    based_on = None
    if position is not None:
        based_on = selectors.appraisal_template_list(filters={"position": position.pk, "active": True}).first()
    form = TemplateForm(request.POST or None, initial={"position": position})
    rows = form.items() if form.is_bound else (_rows_of(based_on) if based_on else [])
    if form_submit(
        request,
        form,
        lambda data: services.appraisal_template_create(
            actor=request.user, position_id=data["position"].pk, name=data["name"], items=rows
        ),
        success=lambda template: (
            _("Template %(name)s is now the active template of %(position)s.")
            % {"name": template.name, "position": template.position.name}
        ),
    ):
        return redirect("performance:template_list")
    context = _editor_context(form, template=None, rows=rows, position=position)
    context["based_on"] = based_on
    return render(request, "performance/setup/template_form.html", context, status=form_status(form))


@role_required(*HR)
@require_http_methods(["GET", "POST"])
def template_edit(request, pk: int):
    template = selectors.appraisal_template_get(pk=pk)
    form = TemplateForm(
        request.POST or None, initial={"position": template.position, "name": template.name}, editing=True
    )
    rows = form.items() if form.is_bound else _rows_of(template)
    if form_submit(
        request,
        form,
        lambda data: services.appraisal_template_update(
            actor=request.user, template_id=template.pk, name=data["name"], items=rows
        ),
        success=_("Template %(name)s saved.") % {"name": template.name},
    ):
        return redirect("performance:template_list")
    return render(
        request,
        "performance/setup/template_form.html",
        _editor_context(form, template=template, rows=rows),
        status=form_status(form),
    )


urlpatterns = [
    path("setup/indicators/", indicator_list, name="indicator_list"),
    path("setup/indicators/new/", indicator_create, name="indicator_create"),
    path("setup/indicators/defaults/", indicator_defaults, name="indicator_defaults"),
    path("setup/indicators/<int:pk>/", indicator_edit, name="indicator_edit"),
    path("setup/indicators/<int:pk>/deactivate/", indicator_deactivate, name="indicator_deactivate"),
    path("setup/templates/", template_list, name="template_list"),
    path("setup/templates/new/", template_create, name="template_create"),
    path("setup/templates/<int:pk>/", template_edit, name="template_edit"),
]
