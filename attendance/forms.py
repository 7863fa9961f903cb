"""Input parsing for the attendance pages (forms validate shape; services validate the rules)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.models import ShiftType
from callcenter.models import Employee

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

    team = forms.IntegerField(widget=forms.HiddenInput)
    whole_team = forms.BooleanField(label=_("The whole team"), required=False, initial=True)
    employees = forms.ModelMultipleChoiceField(
        label=_("Employees"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Used when “the whole team” is not ticked."),
    )
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
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

    def chosen_employees(self):
        data = self.cleaned_data
        return list(self.members) if data.get("whole_team") else list(data["employees"])

    def pattern(self) -> dict:
        return {weekday: self.cleaned_data.get(f"weekday_{weekday}") for weekday in range(7)}


class ShiftTypeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("Short: it is shown in the roster cells."))
    name = forms.CharField(label=_("Name"), max_length=100)
    start_time = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(
        label=_("End"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("An end at or before the start means the shift ends the next day (overnight)."),
    )
    break_minutes = forms.IntegerField(label=_("Break (minutes)"), min_value=0, max_value=720, initial=60)


class PunchCorrectionForm(forms.Form):
    """补卡 (ATT-2). There is no employee field: the request is always the user's own."""

    work_date = forms.DateField(
        label=_("Working day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    requested_time = forms.DateTimeField(
        label=_("Time of the missing punch"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        min_length=5,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("At least 5 characters: what happened, so your supervisor can check it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["work_date"].initial = timezone.localdate


class CorrectionDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
