"""Forms of the hiring pages (GEN-1): hire one person, upload the staff list."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from callcenter import inputs
from callcenter.models import Department, Position, Team
from callcenter.roles import Role
from callcenter.selectors.hiring import IMPORT_MAX_FILE_BYTES

__all__ = [
    "HireForm",
    "StaffImportConfirmForm",
    "StaffImportForm",
]

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0")}


class _CodeNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class _TeamChoiceField(forms.ModelChoiceField):
    """A team with its department and the supervisor the new employee will report to (the direct
    supervisor is the team's supervisor: there is no per-employee supervisor)."""

    def label_from_instance(self, team):
        supervisor = team.supervisor.name if team.supervisor_id else gettext("no supervisor yet")
        return gettext("%(code)s %(name)s (%(department)s) — supervisor: %(supervisor)s") % {
            "code": team.code,
            "name": team.name,
            "department": team.department.name,
            "supervisor": supervisor,
        }


class HireForm(forms.Form):
    """Who joins, where, from when, for how much, and how to reach them (GEN-1, LV-3). Only
    these fields reach the service: anything else posted is ignored (mass assignment)."""

    employee_no = forms.CharField(
        label=_("Employee number"),
        max_length=20,
        help_text=_("Also the login name. A leaver's number rehires the same record (GEN-2)."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    department = _CodeNameChoiceField(label=_("Department"), queryset=Department.objects.none())
    team = _TeamChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("The team's supervisor becomes the direct supervisor (LV-4)."),
    )
    position = _CodeNameChoiceField(label=_("Position"), queryset=Position.objects.none())
    hire_date = inputs.CareerDateField(label=_("Hire date"), widget=_DATE)
    first_employed_on = inputs.CareerDateField(
        label=_("Date first employed"),
        widget=_DATE,
        required=False,
        help_text=_("Start of cumulative working years for annual leave (LV-3); empty: the hire date."),
    )
    monthly_base_pay = forms.DecimalField(label=_("Monthly base pay"), **_MONEY)
    bonus_base = forms.DecimalField(label=_("Performance bonus base"), **_MONEY)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    mobile = forms.CharField(label=_("Mobile phone"), required=False, max_length=20)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, initial=[Role.AGENT], widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, departments=None, teams=None, positions=None, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Department.objects.none()
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["position"].queryset = positions if positions is not None else Position.objects.none()
        if roles is not None:
            self.fields["roles"].choices = roles
        if not self.is_bound:
            self.fields["hire_date"].initial = timezone.localdate

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "employee_no": data["employee_no"].strip(),
            "name": data["name"].strip(),
            "department_id": data["department"].pk,
            "team_id": data["team"].pk if data.get("team") else None,
            "position_id": data["position"].pk,
            "hire_date": data["hire_date"],
            "first_employed_on": data.get("first_employed_on"),
            "monthly_base_pay": data["monthly_base_pay"],
            "bonus_base": data["bonus_base"],
            "email": data.get("email") or "",
            "mobile": (data.get("mobile") or "").strip(),
            "roles": list(data["roles"]),
        }


class StaffImportForm(forms.Form):
    file = forms.FileField(label=_("Staff file (CSV or XLSX)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "UTF-8 or GB18030 CSV, or XLSX; Chinese or English headers; at most %(size)s MB."
        ) % {"size": IMPORT_MAX_FILE_BYTES // 1048576}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."), params={"size": IMPORT_MAX_FILE_BYTES // 1048576}
            )
        return upload


class StaffImportConfirmForm(forms.Form):
    """The previewed file's checksum: the commit imports that file, not another."""

    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", max_length=64)
