"""Pages of the two-factor login (SEC-2, SEC-3): the login's second step, the set-up (QR code,
recovery codes shown once and downloadable), the user's own 2FA page (new recovery codes, turning
it off where the role allows), and the review of the API tokens of the accounts that must use 2FA
(administrators and security auditors)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from callcenter.pages import action_run, form_submit, paginate, redirect_back, refusal_status
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role
from datasecurity import selectors, services
from datasecurity.forms import TwoFactorCodeForm, TwoFactorTokenFilterForm, TwoFactorVerifyForm
from datasecurity.rules.twofa import totp_key_new, trust_cookie_value

# The session keys of the pages: the secret being set up, and the recovery codes just made (kept
# only until the user leaves the page that shows them, for the download).
SETUP_KEY = "twofa_setup_key"
NEW_CODES_KEY = "twofa_new_codes"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only (never a URL name for redirect() to reverse: "abc" would be a 500).
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("callcenter:dashboard")


def _mark_session(request, state: str) -> None:
    request.session[selectors.TWOFA_SESSION_KEY] = f"{state}:{request.user.pk}"


def _codes_page(request, codes: list[str], *, first_time: bool):
    request.session[NEW_CODES_KEY] = codes
    return render(
        request,
        "datasecurity/twofa/recovery_codes.html",
        {"codes": [f"{c[:4]}-{c[4:]}" for c in codes], "first_time": first_time},
    )


@login_only
@never_cache
@require_http_methods(["GET", "POST"])
def twofa_verify(request):
    """The second step of the login: a code from the app or a recovery code (SEC-2)."""
    next_url = _next_url(request)
    if selectors.twofa_session_state(request.session, request.user) in {"verified", "exempt"}:
        return HttpResponseRedirect(next_url)
    gate = selectors.twofa_gate(user=request.user)
    if gate.state == "enrol":
        return redirect("datasecurity:twofa_setup")
    if gate.passes:
        _mark_session(request, gate.state)
        return HttpResponseRedirect(next_url)
    days = selectors.twofa_policy().trusted_device_days
    form = TwoFactorVerifyForm(request.POST or None, initial={"next": next_url}, trust_days=days)
    if form_submit(request, form, lambda data: services.twofa_verify(actor=request.user, code=data["code"])):
        check = form.result
        # A new session key for the raised privilege, as at the password step.
        request.session.cycle_key()
        _mark_session(request, "verified")
        response = HttpResponseRedirect(next_url)
        if days > 0 and form.cleaned_data.get("trust"):
            response.set_cookie(
                settings.TWOFA_TRUST_COOKIE_NAME,
                trust_cookie_value(
                    user_id=request.user.pk, device_id=check.device_id, auth_hash=request.user.get_session_auth_hash()
                ),
                max_age=days * 24 * 3600,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        if check.kind == "recovery":
            messages.warning(
                request,
                ngettext(
                    "You signed in with a recovery code; it is now used up. %(count)d recovery code is left.",
                    "You signed in with a recovery code; it is now used up. %(count)d recovery codes are left.",
                    check.recovery_codes_left,
                )
                % {"count": check.recovery_codes_left},
            )
        return response
    return render(
        request,
        "datasecurity/twofa/verify.html",
        {"form": form, "trust_days": days},
        status=refusal_status(form),
    )


@login_only
@never_cache
@require_http_methods(["GET", "POST"])
def twofa_setup(request):
    """Set up two-factor login: scan the QR code (or type the secret), confirm with a code; the
    ten recovery codes are then shown once (SEC-2)."""
    status = selectors.twofa_status(user=request.user)
    if status.enrolled:
        messages.info(request, _("Two-factor login is already set up on your account."))
        return redirect("datasecurity:twofa_manage")
    key = request.session.get(SETUP_KEY) or totp_key_new()
    request.session[SETUP_KEY] = key
    form = TwoFactorCodeForm(request.POST or None)
    if form_submit(
        request,
        form,
        lambda data: services.twofa_enrol(actor=request.user, key=key, code=data["code"]),
        success=_("Two-factor login is set up: from now on you sign in with a code from your app (SEC-2)."),
    ):
        request.session.pop(SETUP_KEY, None)
        _mark_session(request, "verified")
        return _codes_page(request, form.result[1], first_time=True)
    return render(
        request,
        "datasecurity/twofa/setup.html",
        {"form": form, "setup": selectors.twofa_setup_info(user=request.user, key=key), "status": status},
        status=refusal_status(form),
    )


@login_only
@never_cache
@require_GET
def twofa_manage(request):
    """The user's own two-factor page: set up, recovery codes left, new codes, turn off."""
    request.session.pop(NEW_CODES_KEY, None)
    return render(
        request,
        "datasecurity/twofa/manage.html",
        {"status": selectors.twofa_status(user=request.user), "form": TwoFactorCodeForm()},
    )


@login_only
@never_cache
@require_GET
def twofa_recovery_codes_download(request):
    """The recovery codes just made, as a text file (only while their page is open)."""
    codes = request.session.get(NEW_CODES_KEY)
    if not codes:
        messages.error(request, _("Recovery codes are shown only once. Make new ones if you have lost them."))
        return redirect("datasecurity:twofa_manage")
    lines = [
        _("Recovery codes for %(user)s (%(site)s)")
        % {"user": request.user.get_username(), "site": settings.OTP_TOTP_ISSUER},
        _("Each code signs you in once when you do not have your phone. Keep them somewhere safe."),
        "",
        *[f"{c[:4]}-{c[4:]}" for c in codes],
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    return response


@login_only
@never_cache
@require_POST
def twofa_recovery_codes_regenerate(request):
    codes = []

    def regenerate():
        codes.extend(services.twofa_recovery_codes_regenerate(actor=request.user, code=request.POST.get("code", "")))

    if action_run(request, regenerate, success=_("New recovery codes are ready; the old ones no longer work.")):
        return _codes_page(request, codes, first_time=False)
    return redirect("datasecurity:twofa_manage")


@login_only
@require_POST
def twofa_remove(request):
    if action_run(
        request,
        lambda: services.twofa_remove(actor=request.user, code=request.POST.get("code", "")),
        success=_("Two-factor login is turned off for your account."),
    ):
        _mark_session(request, "exempt")
        response = redirect("datasecurity:twofa_manage")
        response.delete_cookie(settings.TWOFA_TRUST_COOKIE_NAME)
        return response
    return redirect("datasecurity:twofa_manage")


@role_required(Role.SECURITY_AUDITOR, allow_staff=True)
@require_GET
def twofa_token_list(request):
    """The API tokens of the accounts that must use 2FA (SEC-2, SEC-3), for review and revocation."""
    form = TwoFactorTokenFilterForm(request.GET or None)
    tokens = selectors.twofa_token_list(user=request.user, filters=form.filters() if form.is_bound else None)
    return render(
        request,
        "datasecurity/twofa/tokens.html",
        {"form": form, "page_obj": paginate(request, tokens, 50)},
    )


@login_only
@require_POST
def twofa_token_revoke(request, pk: int):
    action_run(
        request,
        lambda: services.twofa_api_token_revoke(actor=request.user, token_id=pk),
        success=_("The API token has been revoked: it no longer opens the API."),
    )
    return redirect_back(request, "datasecurity:twofa_token_list")


urlpatterns = [
    path("accounts/twofa/", twofa_manage, name="twofa_manage"),
    path("accounts/twofa/verify/", twofa_verify, name="twofa_verify"),
    path("accounts/twofa/setup/", twofa_setup, name="twofa_setup"),
    path("accounts/twofa/recovery-codes/", twofa_recovery_codes_regenerate, name="twofa_recovery_codes_regenerate"),
    path("accounts/twofa/recovery-codes.txt", twofa_recovery_codes_download, name="twofa_recovery_codes_download"),
    path("accounts/twofa/remove/", twofa_remove, name="twofa_remove"),
    path("security/twofa-tokens/", twofa_token_list, name="twofa_token_list"),
    path("security/twofa-tokens/<int:pk>/revoke/", twofa_token_revoke, name="twofa_token_revoke"),
]
