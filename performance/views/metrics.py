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
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from callcenter.errors import ApplicationError, NotFoundError
from callcenter.models import Employee
from callcenter.permissions import login_only, role_required
from callcenter.roles import has_role
from callcenter.selectors import Scope, can_see_employee, user_scope
from performance import metrics_csv, selectors, services
from performance.forms_metrics import MetricUploadForm, parse_id, parse_month

PAGE_SIZE = 25
HR = services.METRIC_IMPORT_ROLES


# --- Imports (HR) ----------------------------------------------------------------------------------


@role_required(*HR)
@require_http_methods(["GET", "POST"])
def metric_imports(request):
    form = MetricUploadForm(request.POST or None, request.FILES or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = services.metric_import_file(actor=request.user, data=upload.read(), filename=upload.name)
        except ApplicationError as exc:
            refusal = {
                "message": str(exc.message),
                "errors": exc.extra.get("errors", []),
                "count": exc.extra.get("error_count", 0),
            }
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _(
                    "Imported %(rows)s rows (%(created)s new days, %(replaced)s replaced) from %(date_from)s to "
                    "%(date_to)s."
                )
                % {
                    "rows": record.rows,
                    "created": record.created,
                    "replaced": record.replaced,
                    "date_from": record.date_from,
                    "date_to": record.date_to,
                },
            )
            earlier = (
                selectors.metric_import_list(user=request.user)
                .filter(checksum=record.checksum)
                .exclude(pk=record.pk)
                .first()
            )
            if earlier is not None:
                messages.info(
                    request,
                    _("The same file was imported before, on %(when)s; its days were replaced with the same figures.")
                    % {"when": timezone.localtime(earlier.imported_at).strftime("%Y-%m-%d %H:%M")},
                )
            return redirect("performance:metric_import_detail", pk=record.pk)
    page = Paginator(selectors.metric_import_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "refusal": refusal,
        "page_obj": page,
        "headers": list(zip(metrics_csv.FIELDS, metrics_csv.TEMPLATE_HEADERS, strict=True)),
        "max_rows": metrics_csv.MAX_ROWS,
        "max_errors": metrics_csv.MAX_ERRORS_SHOWN,
        "nav_active": "performance_metrics_imports",
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "performance/metrics/imports.html", context, status=status)


@role_required(*HR)
@require_GET
def metric_import_template(request):
    response = HttpResponse(metrics_csv.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="metrics-template.csv"'
    return response


@role_required(*HR)
@require_GET
def metric_import_detail(request, pk: int):
    try:
        record = selectors.metric_import_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc
    page = Paginator(selectors.metric_import_rows(user=request.user, record=record), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
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
    month = parse_month(request.GET.get("month"), today)
    scope = user_scope(user)
    teams = selectors.metric_teams(user=user) if scope >= Scope.TEAM else []
    team_id = parse_id(request.GET.get("team"))
    if team_id not in {t.pk for t in teams}:
        team_id = None
    data = selectors.metric_month(user=user, month=month, team_id=team_id)
    page = Paginator(data.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    employee = None
    days = []
    employee_id = parse_id(request.GET.get("employee"))
    if scope <= Scope.SELF and employee_id is None and data.rows:
        employee_id = data.rows[0].employee_id
    if employee_id is not None:
        employee = Employee.objects.filter(pk=employee_id).select_related("team").first()
        if employee is None or not can_see_employee(user, employee):
            raise Http404(_("No such employee."))
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
