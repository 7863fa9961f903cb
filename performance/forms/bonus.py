"""Input parsing for the bonus sheet pages (PRF-4). Forms check the shape only; the services
decide what is allowed and explain every refusal."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter import inputs
from performance.models import BonusSheetStatus, FileFormat, ScoreBand

__all__ = [
    "BonusAdjustForm",
    "BonusApproveForm",
    "BonusCorrectForm",
    "BonusExportForm",
    "BonusLineFilterForm",
    "BonusPrepareForm",
    "BonusSheetFilterForm",
]


class BonusPrepareForm(forms.Form):
    month = inputs.MonthField(label=_("Month"), help_text=_("The month of the appraisal cycle the sheet is made from."))


class BonusSheetFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *BonusSheetStatus.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class BonusLineFilterForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    band = forms.ChoiceField(label=_("Band"), required=False, choices=[("", _("All")), *ScoreBand.choices])
    q = forms.CharField(label=_("Name or number"), required=False, max_length=50)
    negative = forms.BooleanField(label=_("Only lines with a negative payable amount"), required=False)

    def __init__(self, *args, departments: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments"))] + [(pk, name) for pk, name in departments]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class BonusAdjustForm(forms.Form):
    """A reward (RWD-2) or a fine (PEN-1) on one line of a draft."""

    employee_no = forms.CharField(label=_("Employee number"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("reward", _("Reward (RWD-2)")), ("penalty", _("Fine (PEN-1)"))])
    title = forms.CharField(label=_("For"), max_length=200, help_text=_("e.g. Service star of the month"))
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=8, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("100000")
    )


class BonusApproveForm(forms.Form):
    """Approve a draft; lines with a negative payable amount need the approver's explicit
    acknowledgement (PRF-4)."""

    negative_acknowledged = forms.BooleanField(
        label=_("I have checked the lines with a negative payable amount; payroll settles them from the month's pay."),
        required=False,
    )


class BonusCorrectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The approved version is kept as it is; a new draft version is made."),
    )


class BonusExportForm(forms.Form):
    file_format = forms.ChoiceField(label=_("Format"), choices=FileFormat.choices)
