"""Performance pages: call-center metrics (PRF-1 work results).

- Imports (HR): upload a CSV file (a downloadable template shows the columns), the list of
  accepted imports with their counts, one import's page. A refused file shows every row error
  (the first 100 and the count) and nothing is written.
- Month view (everyone, by visibility): totals per agent and team for a month — an agent sees
  their own, a supervisor their team, a manager their department, HR everyone.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from callcenter import inputs
from callcenter.exports import file_response
from callcenter.pages import form_status, form_submit, paginate
from callcenter.permissions import login_only, role_required
from callcenter.roles import has_role
from callcenter.selectors import Scope, employee_get, team_choices, user_scope
from performance import rules, selectors, services
from performance.forms import MetricUploadForm

PAGE_SIZE = 25
HR = services.METRIC_IMPORT_ROLES


# --- Imports (HR) ----------------------------------------------------------------------------------


def _imported(request, record) -> None:
    """What the import did; and a note when the same file was imported before."""
    messages.success(
        request,
        _("Imported %(rows)s rows (%(created)s new days, %(replaced)s replaced) from %(date_from)s to %(date_to)s.")
        % {
            "rows": record.rows,
            "created": record.created,
            "replaced": record.replaced,
            "date_from": record.date_from,
            "date_to": record.date_to,
        },
    )
    earlier = selectors.metric_import_same_file(user=request.user, record=record)
    if earlier is not None:
        messages.info(
            request,
            _("The same file was imported before, on %(when)s; its days were replaced with the same figures.")
            % {"when": timezone.localtime(earlier.imported_at).strftime("%Y-%m-%d %H:%M")},
        )


@role_required(*HR)
@require_http_methods(["GET", "POST"])
def metric_imports(request):
    form = MetricUploadForm(request.POST or None, request.FILES or None)

    def upload(data):
        return services.metric_import_file(actor=request.user, data=data["file"].read(), filename=data["file"].name)

    if form_submit(request, form, upload):
        _imported(request, form.result)
        return redirect("performance:metric_import_detail", pk=form.result.pk)
    refusal = getattr(form, "refusal", None)
    context = {
        "form": form,
        "refusal": None
        if refusal is None
        else {
            "message": str(refusal.message),
            "errors": refusal.extra.get("errors", []),
            "count": refusal.extra.get("error_count", 0),
        },
        "page_obj": paginate(request, selectors.metric_import_list(user=request.user), PAGE_SIZE),
        "headers": list(zip(rules.FIELDS, rules.TEMPLATE_HEADERS, strict=True)),
        "max_rows": rules.MAX_ROWS,
        "max_errors": rules.MAX_ERRORS_SHOWN,
        "nav_active": "performance_metrics_imports",
    }
    return render(request, "performance/metrics/imports.html", context, status=form_status(form))


@role_required(*HR)
@require_GET
def metric_import_template(request):
    return file_response(services.metric_import_template())


@role_required(*HR)
@require_GET
def metric_import_detail(request, pk: int):
    record = selectors.metric_import_get(user=request.user, pk=pk)
    page = paginate(request, selectors.metric_import_rows(user=request.user, record=record), PAGE_SIZE)
    context = {"record": record, "page_obj": page, "nav_active": "performance_metrics_imports"}
    return render(request, "performance/metrics/import_detail.html", context)


# --- Month view (by visibility) ---------------------------------------------------------------------


def _neighbours(month: datetime.date) -> dict:
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return {"month": month, "previous_month": previous, "next_month": following}


@login_only
@require_GET
def metric_month(request):
    """Totals of a month per agent (and team) for whoever may see them; ``?employee=`` shows one
    agent's days too."""
    user = request.user
    today = timezone.localdate()
    month = inputs.query_month(request, today)
    scope = user_scope(user)
    teams = list(team_choices(user=user)) if scope >= Scope.TEAM else []
    team_id = inputs.safe_id(request.GET.get("team"))
    if team_id not in {t.pk for t in teams}:
        team_id = None
    data = selectors.metric_month(user=user, month=month, team_id=team_id)
    page = paginate(request, data.rows, PAGE_SIZE)
    employee = None
    days = []
    employee_id = inputs.safe_id(request.GET.get("employee"))
    if scope <= Scope.SELF and employee_id is None and data.rows:
        employee_id = data.rows[0].employee_id
    if employee_id is not None:
        employee = employee_get(user=user, pk=employee_id)  # not visible: 404
        days = list(selectors.metric_days_list(user=user, employee=employee, month=month))
    context = {
        "data": data,
        "page_obj": page,
        "teams": teams,
        "team_id": team_id,
        "scope_team": scope >= Scope.TEAM,
        "employee": employee,
        "days": days,
        "is_hr": has_role(user, *HR),
        "future": month > today.replace(day=1),
        "nav_active": "performance_metrics",
        **_neighbours(month),
    }
    return render(request, "performance/metrics/month.html", context)


urlpatterns = [
    path("metrics/", metric_month, name="metric_month"),
    path("metrics/imports/", metric_imports, name="metric_imports"),
    path("metrics/imports/template.csv", metric_import_template, name="metric_import_template"),
    path("metrics/imports/<int:pk>/", metric_import_detail, name="metric_import_detail"),
]
