"""Forms of the transfer and pay change pages (issue 13). Only the fields HR owns here: the
employee comes from the URL, the actor from the session, the status from the date (mass
assignment: anything else posted is ignored)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter import inputs
from callcenter.models import Department, Position, Team

__all__ = [
    "PAY_MAX",
    "REASON_MAX_LENGTH",
    "EmploymentEventCancelForm",
    "PayChangeForm",
    "TransferForm",
]

REASON_MAX_LENGTH = 500
PAY_MAX = Decimal("99999999.99")


class _TeamChoiceField(forms.ModelChoiceField):
    """Each team named with its department and the supervisor it brings (the direct supervisor
    follows the team)."""

    def label_from_instance(self, obj):
        supervisor = obj.supervisor.name if obj.supervisor_id else _("no supervisor")
        return _("%(team)s (%(department)s) — supervisor: %(supervisor)s") % {
            "team": obj.name,
            "department": obj.department.name,
            "supervisor": supervisor,
        }


class _ChangeForm(forms.Form):
    effective_on = inputs.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today or earlier: applied at once. Later: scheduled, applied on that day."),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(_ChangeForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    team = _TeamChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team"))
    position = forms.ModelChoiceField(label=_("Position"), queryset=Position.objects.none())

    field_order = ["department", "team", "position", "effective_on", "reason"]

    def __init__(self, *args, departments, teams, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["team"].queryset = teams
        self.fields["position"].queryset = positions

    def clean(self):
        data = super().clean()
        team, department = data.get("team"), data.get("department")
        if team is not None and department is not None and team.department_id != department.pk:
            self.add_error("team", _("The team does not belong to the chosen department."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "department_id": data["department"].pk,
            "team_id": data["team"].pk if data.get("team") else None,
            "position_id": data["position"].pk,
            "effective_on": data["effective_on"],
            "reason": data.get("reason") or "",
        }


class PayChangeForm(_ChangeForm):
    monthly_base_pay = forms.DecimalField(
        label=_("Monthly base pay"), min_value=Decimal("0"), max_value=PAY_MAX, max_digits=10, decimal_places=2
    )
    bonus_base = forms.DecimalField(
        label=_("Performance bonus base"), min_value=Decimal("0"), max_value=PAY_MAX, max_digits=10, decimal_places=2
    )

    field_order = ["monthly_base_pay", "bonus_base", "effective_on", "reason"]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "monthly_base_pay": data["monthly_base_pay"],
            "bonus_base": data["bonus_base"],
            "effective_on": data["effective_on"],
            "reason": data.get("reason") or "",
        }


class EmploymentEventCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX_LENGTH)
