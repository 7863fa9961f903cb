"""Forms of the org pages: the directory's filters, and the org editors' department, team and
position forms (issue 13; the services check everything again)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from callcenter.models import Department, Employee, EmploymentStatus, Position, Team

__all__ = [
    "DepartmentForm",
    "EmployeeFilterForm",
    "PositionForm",
    "TeamForm",
]


class _CodeNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class _EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.employee_no}"


class EmployeeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("All departments")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    position = forms.ModelChoiceField(
        label=_("Position"), queryset=Position.objects.none(), required=False, empty_label=_("All positions")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("left", _("Left")), ("all", _("All"))],
    )

    def __init__(self, *args, departments=None, teams=None, positions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Department.objects.none()
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["position"].queryset = positions if positions is not None else Position.objects.none()

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": EmploymentStatus.ACTIVE}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "department": data["department"].pk if data.get("department") else None,
            "team": data["team"].pk if data.get("team") else None,
            "position": data["position"].pk if data.get("position") else None,
            "status": data.get("status") or EmploymentStatus.ACTIVE,
        }


class _OrgRecordForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=pgettext_lazy("name of a thing", "Name"), max_length=100)


class DepartmentForm(_OrgRecordForm):
    parent = _CodeNameChoiceField(
        label=_("Parent department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("None (top level)"),
        help_text=_("Never the department itself or one of its sub-departments."),
    )
    manager = _EmployeeChoiceField(
        label=_("Department manager"), queryset=Employee.objects.none(), required=False, empty_label=_("None")
    )
    leader_in_charge = _EmployeeChoiceField(
        label=_("Company leader in charge"), queryset=Employee.objects.none(), required=False, empty_label=_("None")
    )

    def __init__(self, *args, departments=None, employees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = departments if departments is not None else Department.objects.none()
        for name in ("manager", "leader_in_charge"):
            self.fields[name].queryset = employees if employees is not None else Employee.objects.none()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name": data["name"],
            "parent_id": data["parent"].pk if data.get("parent") else None,
            "manager_id": data["manager"].pk if data.get("manager") else None,
            "leader_in_charge_id": data["leader_in_charge"].pk if data.get("leader_in_charge") else None,
        }


class TeamForm(_OrgRecordForm):
    department = _CodeNameChoiceField(label=_("Department"), queryset=Department.objects.none())
    supervisor = _EmployeeChoiceField(
        label=_("Team supervisor"),
        queryset=Employee.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("An active employee of the team's department: the first approver of its members (LV-4)."),
    )
    confirm_no_supervisor = forms.BooleanField(
        label=_("Keep the team without a supervisor for now"),
        required=False,
        help_text=_("Its members' leave requests and corrections then have no first approver (LV-4)."),
    )

    def __init__(self, *args, departments=None, employees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Department.objects.none()
        self.fields["supervisor"].queryset = employees if employees is not None else Employee.objects.none()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name": data["name"],
            "department_id": data["department"].pk,
            "supervisor_id": data["supervisor"].pk if data.get("supervisor") else None,
            "confirm_no_supervisor": bool(data.get("confirm_no_supervisor")),
        }


class PositionForm(_OrgRecordForm):
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"code": data["code"], "name": data["name"], "description": data.get("description") or ""}
