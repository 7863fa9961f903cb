"""Pages of the accounts area: log in and out, password change (SEC-2), language, API tokens, and
the roles of every account (HR and administrators; the Django admin is read-only)."""

from django.contrib import messages
from django.contrib.auth import logout, password_validation, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter import selectors, services
from callcenter.forms import (
    ApiTokenCreateForm,
    ApiTokenFilterForm,
    PasswordChangeForm,
    UserRoleChangeForm,
    UserRoleFilterForm,
)
from callcenter.pages import action_run, form_status, form_submit, paginate, redirect_back, refusal_status
from callcenter.permissions import login_only, public, role_required
from callcenter.roles import Role

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
        return HttpResponseRedirect(next_url)  # a path, never a URL name to reverse ("abc": a 500)
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    return _set_language_cookie(HttpResponseRedirect(next_url), language)


@login_only
@require_http_methods(["GET", "POST"])
def password_change(request):
    reason = selectors.password_change_required(user=request.user)
    form = PasswordChangeForm(request.user, request.POST or None, request=request)
    if form_submit(
        request,
        form,
        lambda data: services.user_password_change(user=request.user, new_password=data["new_password1"]),
        success=_("Your password has been changed."),
    ):
        update_session_auth_hash(request, form.result)
        return redirect("callcenter:dashboard")
    if getattr(request, "axes_locked_out", False):
        # Too many wrong current passwords: the account is locked as after failed logins, and
        # this session (perhaps stolen) ends; AxesMiddleware answers with the lockout page.
        logout(request)
    return render(
        request,
        "registration/password_change.html",
        {"form": form, "reason": reason, "password_rules": password_validation.password_validators_help_texts()},
        status=form_status(form),
    )


@role_required(Role.HR)
@vary_on_headers("HX-Request")
def role_list(request):
    form = UserRoleFilterForm(request.GET or None)
    users = selectors.user_role_list(user=request.user, filters=form.filters() if form.is_bound else None)
    template = "callcenter/accounts/role_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#role-table"
    return render(request, template, {"form": form, "page_obj": paginate(request, users, 25)})


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def user_roles(request, pk: int):
    target = selectors.user_role_get(user=request.user, pk=pk)
    form = UserRoleChangeForm(request.POST or None)

    def change(data):
        service = services.user_role_assign if data["op"] == "assign" else services.user_role_remove
        return service(actor=request.user, user_id=target.pk, role=data["role"])

    if form_submit(
        request,
        form,
        change,
        success=lambda user: _("The roles of %(user)s have been changed.") % {"user": user.get_username()},
    ):
        return redirect("callcenter:user_roles", target.pk)
    return render(
        request,
        "callcenter/accounts/user_roles.html",
        {"target": target, "form": form, "options": selectors.user_role_options(user=request.user, target=target)},
        status=refusal_status(form),
    )


@login_only
@never_cache
@require_http_methods(["GET", "POST"])
def api_token_list(request):
    """My API tokens; a new one's key is shown in this answer only (never stored, never cached)."""
    form = ApiTokenCreateForm(request.POST or None)
    created = None
    if form_submit(
        request,
        form,
        lambda data: services.api_token_create(
            actor=request.user, name=data["name"], lifetime_days=data["lifetime_days"]
        ),
        success=_("Your API token has been created. Copy it now: it is not shown again."),
    ):
        created, form = form.result, ApiTokenCreateForm()
    return render(
        request,
        "callcenter/accounts/tokens.html",
        {
            "form": form,
            "new_token": created[0] if created else None,
            "new_key": created[1] if created else None,
            "page_obj": paginate(request, selectors.api_token_list(user=request.user), 25),
            "manage_all": selectors.api_tokens_manage_all(request.user),
            "max_days": selectors.api_token_lifetime_days(),
        },
        status=form_status(form),
    )


@role_required(Role.HR, allow_staff=True)
@require_GET
def api_token_all(request):
    """Everyone's API tokens, for HR and administrators to review and revoke (SEC-2)."""
    form = ApiTokenFilterForm(request.GET or None)
    tokens = selectors.api_token_list(user=request.user, filters=form.filters())
    return render(
        request,
        "callcenter/accounts/tokens_all.html",
        {"form": form, "page_obj": paginate(request, tokens, 50)},
    )


@login_only
@require_POST
def api_token_revoke(request, pk: int):
    action_run(
        request,
        lambda: services.api_token_revoke(actor=request.user, token_id=pk),
        success=_("The API token has been revoked: it no longer opens the API."),
    )
    return redirect_back(request, "callcenter:api_token_list")


urlpatterns = [
    path("accounts/login/", login_view, name="login"),
    path("accounts/logout/", logout_view, name="logout"),
    path("accounts/password/", password_change, name="password_change"),
    path("accounts/tokens/", api_token_list, name="api_token_list"),
    path("accounts/tokens/all/", api_token_all, name="api_token_all"),
    path("accounts/tokens/<int:pk>/revoke/", api_token_revoke, name="api_token_revoke"),
    path("i18n/language/", language_set, name="language_set"),
    path("accounts/roles/", role_list, name="role_list"),
    path("accounts/roles/<int:pk>/", user_roles, name="user_roles"),
]
