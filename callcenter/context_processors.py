"""Role-aware navigation for the base template."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import Role, has_role, user_roles
from .visibility import Scope, user_scope


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role_labels": []}
    items = [{"url": reverse("dashboard"), "label": _("Dashboard"), "icon": "house", "key": "dashboard"}]
    scope = user_scope(user)
    if scope >= Scope.TEAM:
        label = {Scope.TEAM: _("My team"), Scope.DEPARTMENT: _("My area"), Scope.COMPANY: _("Employees")}[scope]
        items.append({"url": reverse("employee_list"), "label": label, "icon": "people", "key": "employees"})
    if has_role(user, Role.HR):
        items.append({"url": reverse("policy_list"), "label": _("Policies"), "icon": "sliders", "key": "policies"})
    if has_role(user, Role.SECURITY_AUDITOR):
        items.append({"url": reverse("audit_event_list"), "label": _("Audit trail"), "icon": "shield", "key": "audit"})
    if user.is_staff or user.is_superuser:
        items.append({"url": reverse("health"), "label": _("System health"), "icon": "activity", "key": "health"})
    items.append({"url": reverse("api_docs"), "label": _("API"), "icon": "code", "key": "api"})
    roles = user_roles(user)
    role_labels = [label for value, label in Role.choices if value in roles]
    return {"nav_items": items, "user_role_labels": role_labels}
