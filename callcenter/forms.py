"""Input parsing for the HTML views (forms validate shape; services validate business rules)."""

import datetime

from django import forms
from django.forms import modelform_factory
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from .models import Department, EmploymentStatus, Team


def safe_date(value) -> datetime.date | None:
    """A date from user input, or None when it is missing or not a real date (never a 500)."""
    try:
        return parse_date(value or "")
    except (TypeError, ValueError):
        return None


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


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("Your current password is not correct."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords do not match."))
        return data


def policy_version_form_class(model):
    """A form for a new version of ``model``: its parameters, the effective date and a reason."""
    fields = ["effective_from", *[f.name for f in model.parameter_fields()], "note"]
    return modelform_factory(
        model,
        fields=fields,
        # ISO: <input type="date"> accepts nothing else (the locale format 2026/12/06 shows empty).
        widgets={"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")},
    )
