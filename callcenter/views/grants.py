"""The access grant page (SEC-2): company HR gives time-bound object-level access, ends it early
and reads the history. Thin: parse, call one service, render."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from callcenter import selectors, services
from callcenter.forms import AccessGrantFilterForm, AccessGrantForm, AccessGrantRevokeForm
from callcenter.pages import action_run, form_status, form_submit, paginate
from callcenter.permissions import role_required
from callcenter.roles import Role

PAGE_SIZE = 25


def _manager(request):
    """HR pages, for company HR only: an HR assistant limited to departments manages no grant."""
    if not selectors.access_grants_can_manage(request.user):
        raise PermissionDenied
    return request.user


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def access_grants(request):
    user = _manager(request)
    form = AccessGrantForm(
        request.POST or None,
        grantees=selectors.access_grant_grantee_choices(),
        teams=selectors.team_choices(user=user),
        departments=selectors.department_choices(user=user),
    )
    if form_submit(
        request,
        form,
        lambda data: services.access_grant_create(actor=user, **form.service_arguments()),
        success=lambda grant: (
            _("Access granted to %(name)s: %(object)s.")
            % {"name": grant.grantee.get_username(), "object": grant.object_label}
        ),
    ):
        return redirect("callcenter:access_grants")
    filters = AccessGrantFilterForm(request.GET or None)
    grants = selectors.access_grant_list(user=user, filters=filters.filters())
    return render(
        request,
        "callcenter/grants/list.html",
        {
            "form": form,
            "filter_form": filters,
            "page_obj": paginate(request, grants, PAGE_SIZE),
            "limits": list(selectors.hr_remit_limit_list(user=user)),
            "revoke_form": AccessGrantRevokeForm(),
            "nav_active": "access_grants",
        },
        status=form_status(form),
    )


@role_required(Role.HR)
@require_POST
def access_grant_revoke(request, pk: int):
    user = _manager(request)
    form = AccessGrantRevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    action_run(
        request,
        lambda: services.access_grant_revoke(actor=user, grant_id=pk, reason=reason),
        success=_("The grant has ended; its access is withdrawn."),
    )
    return redirect("callcenter:access_grants")


@role_required(Role.HR)
@require_POST
def hr_remit_limit_lift(request, user_id: int):
    user = _manager(request)
    action_run(
        request,
        lambda: services.hr_remit_limit_lift(actor=user, user_id=user_id),
        success=_("This HR user's remit is the whole company again."),
    )
    return redirect("callcenter:access_grants")


urlpatterns = [
    path("access-grants/", access_grants, name="access_grants"),
    path("access-grants/<int:pk>/end/", access_grant_revoke, name="access_grant_revoke"),
    path("access-grants/hr-limits/<int:user_id>/lift/", hr_remit_limit_lift, name="hr_remit_limit_lift"),
]
