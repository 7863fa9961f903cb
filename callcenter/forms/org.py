"""Forms of the org pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter.models import Department, EmploymentStatus, Team

__all__ = [
    "EmployeeFilterForm",
]


class EmployeeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("All departments")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("left", _("Left")), ("all", _("All"))],
    )

    def __init__(self, *args, departments=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Department.objects.none()
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": EmploymentStatus.ACTIVE}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "department": data["department"].pk if data.get("department") else None,
            "team": data["team"].pk if data.get("team") else None,
            "status": data.get("status") or EmploymentStatus.ACTIVE,
        }
