"""Forms of the leaver pages (GEN-2, COC-8): set a leaving, tick an item, hand customer work over,
filter the upcoming leavers. They parse input only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter import inputs
from callcenter.models import LeaveReason

__all__ = [
    "ExitChecklistFilterForm",
    "ExitHandOverForm",
    "ExitItemTickForm",
    "LeaveScheduleForm",
]

_ISO = "%Y-%m-%d"


class LeaveScheduleForm(forms.Form):
    last_working_day = inputs.DateField(
        label=_("Last working day"),
        widget=forms.DateInput(attrs={"type": "date"}, format=_ISO),
        help_text=_("The account is deactivated on the following day (GEN-2)."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=LeaveReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ExitItemTickForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ExitHandOverForm(forms.Form):
    provider = forms.CharField(max_length=50, widget=forms.HiddenInput)
    colleague = inputs.IdField(label=_("Colleague taking over"))


class ExitChecklistFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("scheduled", _("Upcoming")),
            ("left", _("Left")),
            ("cancelled", _("Cancelled")),
            ("all", _("All")),
        ],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": "scheduled"}
        return {"status": self.cleaned_data.get("status") or "scheduled", "q": self.cleaned_data.get("q") or ""}
