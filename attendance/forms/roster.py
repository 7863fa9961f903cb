"""Forms of the roster pages (ATT-1): they validate the shape of the input; the services validate
the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from attendance.models import ShiftType
from callcenter import inputs
from callcenter.models import Employee

__all__ = ["WEEKDAY_LABELS", "RosterAssignForm", "RosterCellForm", "ShiftChoiceField", "ShiftTypeForm"]

WEEKDAY_LABELS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class ShiftChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name} {obj.start_time:%H:%M}–{obj.end_time:%H:%M}"


class RosterAssignForm(forms.Form):
    """Bulk roster assignment (ATT-1): who, which days, which shift on which weekday."""

    team = inputs.IdField(widget=forms.HiddenInput)
    whole_team = forms.BooleanField(label=_("The whole team"), required=False, initial=True)
    employees = forms.ModelMultipleChoiceField(
        label=_("Employees"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Used when “the whole team” is not ticked."),
    )
    date_from = inputs.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = inputs.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    overwrite = forms.BooleanField(
        label=_("Overwrite existing entries"),
        required=False,
        help_text=_("Off: days that already have an entry keep it."),
    )

    def __init__(self, *args, members=None, shifts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members if members is not None else Employee.objects.none()
        self.fields["employees"].queryset = self.members
        shifts = shifts if shifts is not None else ShiftType.objects.none()
        for weekday, label in enumerate(WEEKDAY_LABELS):
            self.fields[f"weekday_{weekday}"] = ShiftChoiceField(
                label=label, queryset=shifts, required=False, empty_label=_("Rest day")
            )

    @property
    def weekday_fields(self):
        return [self[f"weekday_{weekday}"] for weekday in range(7)]

    def clean(self):
        data = super().clean()
        if not data.get("whole_team") and not data.get("employees"):
            self.add_error("employees", _("Choose employees, or tick “the whole team”."))
        return data

    def chosen_employee_ids(self) -> list[int]:
        data = self.cleaned_data
        return [e.pk for e in (self.members if data.get("whole_team") else data["employees"])]

    def pattern(self) -> dict[int, int | None]:
        """weekday (0..6) -> shift type id, or None for a rest day."""
        shifts = {weekday: self.cleaned_data.get(f"weekday_{weekday}") for weekday in range(7)}
        return {weekday: shift.pk if shift else None for weekday, shift in shifts.items()}


class RosterCellForm(forms.Form):
    """One cell of the roster (ATT-1): a shift, or a rest day. The service checks the remit, the
    locked months (ATT-2) and one's own days already begun (SEC-2)."""

    REST = "rest"

    shift = forms.ChoiceField(label=_("Shift"))

    def __init__(self, *args, shifts=None, **kwargs):
        super().__init__(*args, **kwargs)
        shifts = shifts if shifts is not None else ShiftType.objects.none()
        self.fields["shift"].choices = [(self.REST, _("Rest day")), *((str(s.pk), s.code) for s in shifts)]

    def entry_arguments(self) -> dict:
        """The arguments of :func:`attendance.services.roster_entry_set` for the chosen cell."""
        value = self.cleaned_data["shift"]
        if value == self.REST:
            return {"kind": "rest", "shift_id": None}
        return {"kind": "work", "shift_id": int(value)}


class ShiftTypeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("Short: it is shown in the roster cells."))
    name = forms.CharField(label=pgettext_lazy("name of a thing", "Name"), max_length=100)
    start_time = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(
        label=_("End"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("An end at or before the start means the shift ends the next day (overnight)."),
    )
    break_minutes = forms.IntegerField(label=_("Break (minutes)"), min_value=0, max_value=720, initial=60)
