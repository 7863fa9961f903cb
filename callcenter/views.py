"""HTML views of the core app: thin (parse, check, call one service or selector, render)."""

from django.contrib import messages
from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from . import selectors, services
from .errors import ApplicationError
from .forms import EmployeeFilterForm, PasswordChangeForm, policy_version_form_class
from .permissions import login_only, public, role_required
from .roles import Role
from .selectors import employee_of

LANGUAGE_COOKIE = "django_language"


def _set_language_cookie(response, language):
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        # django.contrib.auth.login() rotates the session key (no session fixation).
        response = super().form_valid(form)
        return _set_language_cookie(response, form.get_user().preferred_language)


login_view = public(LoginView.as_view())
logout_view = public(auth_views.LogoutView.as_view())


@login_only
def dashboard(request):
    return render(request, "callcenter/dashboard.html", {"dash": selectors.dashboard_get(user=request.user)})


@public
@require_POST
def language_set(request):
    """Switch language; kept on the user (every device) and in a cookie (the login page)."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    if language not in {"zh-hans", "en"}:
        messages.error(request, _("Unknown language."))
        return redirect(next_url)
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    return _set_language_cookie(HttpResponseRedirect(next_url), language)


@login_only
@require_http_methods(["GET", "POST"])
def password_change(request):
    reason = selectors.password_change_required(user=request.user)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
        except ApplicationError as exc:
            form.add_error("new_password1", str(exc.message))
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("dashboard")
    return render(
        request,
        "registration/password_change.html",
        {"form": form, "reason": reason, "password_rules": password_validation.password_validators_help_texts()},
    )


@login_only
@vary_on_headers("HX-Request")
def employee_list(request):
    user = request.user
    form = EmployeeFilterForm(
        request.GET or None,
        departments=selectors.department_list(user=user),
        teams=selectors.team_list(user=user),
    )
    employees = selectors.employee_list(user=user, filters=form.filters() if form.is_bound else None)
    page = Paginator(employees, 25).get_page(request.GET.get("page"))
    template = "callcenter/employee_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#employee-table"
    return render(request, template, {"form": form, "page_obj": page})


@login_only
def employee_detail(request, pk: int):
    try:
        employee = selectors.employee_get(user=request.user, pk=pk)
    except ApplicationError as exc:
        raise Http404(str(exc.message)) from exc
    return render(
        request,
        "callcenter/employee_detail.html",
        {
            "employee": employee,
            "chain": selectors.approval_chain(employee),
            "is_me": employee == employee_of(request.user),
        },
    )


@role_required(Role.HR)
def policy_list(request):
    return render(request, "callcenter/policy_list.html", {"policies": selectors.policy_overview()})


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def policy_detail(request, label: str):
    try:
        model = selectors.policy_model_get(label)
    except ApplicationError as exc:
        raise Http404(str(exc.message)) from exc
    form_class = policy_version_form_class(model)
    current = selectors.policy_in_force(model)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            values = {f.name: data[f.name] for f in model.parameter_fields()}
            try:
                services.policy_version_create(
                    actor=request.user,
                    model=model,
                    effective_from=data["effective_from"],
                    values=values,
                    note=data.get("note", ""),
                )
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("The new policy version has been saved."))
                return redirect("policy_detail", label=label)
    else:
        initial = {f.name: getattr(current, f.name) for f in model.parameter_fields()}
        form = form_class(initial=initial)
    fields_with_articles = [(form[f.name], model.articles.get(f.name, "")) for f in model.parameter_fields()]
    return render(
        request,
        "callcenter/policy_detail.html",
        {
            "model_name": model._meta.verbose_name,
            "label": label,
            "doc": (model.__doc__ or "").strip(),
            "current": current,
            "versions": selectors.policy_versions(model)[:50],
            "form": form,
            "fields_with_articles": fields_with_articles,
        },
    )


def _redirect_back(request, default: str):
    """To the POSTed ``next`` when it is a path on this site, else to ``default``."""
    next_url = request.POST.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(next_url)
    return redirect(default)


@login_only
def notification_list(request):
    unread_only = request.GET.get("filter") == "unread"
    notifications = selectors.notification_list(user=request.user, filters={"unread": unread_only})
    page = Paginator(notifications, 20).get_page(request.GET.get("page"))
    return render(request, "callcenter/notifications.html", {"page_obj": page, "unread_only": unread_only})


@login_only
@require_POST
def notification_read(request, pk: int):
    try:
        notification = selectors.notification_get(user=request.user, pk=pk)
    except ApplicationError as exc:
        raise Http404(str(exc.message)) from exc
    services.notification_mark_read(actor=request.user, notification_ids=[notification.pk])
    return _redirect_back(request, "notification_list")


@login_only
@require_POST
def notification_read_all(request):
    marked = services.notification_mark_read(actor=request.user)
    if marked:
        messages.success(request, _("All notifications are marked as read."))
    return _redirect_back(request, "notification_list")


@role_required(allow_staff=True)
def health(request):
    checks = {"database": _check_database(), "broker": _check_broker()}
    return render(
        request,
        "callcenter/health.html",
        {"checks": checks, "jobs": selectors.periodic_job_status()},
    )


@public
def healthz(request):
    """Liveness probe for load balancers and docker-compose."""
    ok = _check_database()["ok"]
    return JsonResponse({"status": "ok" if ok else "error"}, status=200 if ok else 503)


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "detail": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - a health check reports, never raises
        return {"ok": False, "detail": type(exc).__name__}


def _check_broker() -> dict:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "detail": _("tasks run eagerly (no broker)")}
    try:
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1).ping()
        return {"ok": True, "detail": "redis"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "detail": type(exc).__name__}


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No context processors, no database: the page must render whatever broke.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
