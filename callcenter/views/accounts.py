"""Pages of the accounts area: log in and out, password change (SEC-2), language."""

from django.contrib import messages
from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from callcenter import selectors, services
from callcenter.forms import PasswordChangeForm
from callcenter.pages import form_status, form_submit
from callcenter.permissions import login_only, public

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
    form = PasswordChangeForm(request.user, request.POST or None)
    if form_submit(
        request,
        form,
        lambda data: services.user_password_change(user=request.user, new_password=data["new_password1"]),
        success=_("Your password has been changed."),
    ):
        update_session_auth_hash(request, form.result)
        return redirect("callcenter:dashboard")
    return render(
        request,
        "registration/password_change.html",
        {"form": form, "reason": reason, "password_rules": password_validation.password_validators_help_texts()},
        status=form_status(form),
    )


urlpatterns = [
    path("accounts/login/", login_view, name="login"),
    path("accounts/logout/", logout_view, name="logout"),
    path("accounts/password/", password_change, name="password_change"),
    path("i18n/language/", language_set, name="language_set"),
]
