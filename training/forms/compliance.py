"""Input parsing for the mandatory courses and compliance pages (TRN-1, TRN-3)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from callcenter import inputs
from callcenter.models import Employee, Position, Team
from training.models import AudienceKind, Course, DeadlineKind

__all__ = ["MandatoryCourseForm"]


class MandatoryCourseForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    audience_kind = forms.ChoiceField(label=_("Audience"), choices=AudienceKind.choices)
    positions = forms.ModelMultipleChoiceField(label=_("Positions"), queryset=Position.objects.none(), required=False)
    teams = forms.ModelMultipleChoiceField(label=_("Teams"), queryset=Team.objects.none(), required=False)
    people = forms.CharField(
        label=_("Named people (employee numbers)"),
        required=False,
        max_length=2000,
        help_text=_("Separated by spaces or commas."),
    )
    deadline_kind = forms.ChoiceField(label=_("Deadline"), choices=DeadlineKind.choices)
    days_after_hire = forms.IntegerField(
        label=_("Days after hire"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Empty: the training policy's days for new hires (TRN-1)."),
    )
    yearly_month = forms.IntegerField(
        label=_("Month of the yearly deadline"), min_value=1, max_value=12, required=False
    )
    yearly_day = forms.IntegerField(label=_("Day of the yearly deadline"), min_value=1, max_value=31, required=False)
    fixed_date = inputs.DateField(
        label=_("Fixed deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    applies_from = inputs.DateField(
        label=_("Applies from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For new hires: those hired on or after this date must take it (TRN-1)."),
    )
    active = forms.BooleanField(label=pgettext_lazy("setting: in use", "Active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(active=True).order_by("code")
        self.fields["positions"].queryset = Position.objects.order_by("name")
        self.fields["teams"].queryset = Team.objects.order_by("code")
        if editing:
            self.fields["course"].required = False
            self.fields["course"].disabled = True

    def clean_people(self) -> list[int]:
        """The named people's employee numbers as employee ids (an unknown number refused)."""
        numbers = [n for n in (self.cleaned_data.get("people") or "").replace(",", " ").split() if n]
        found = dict(Employee.objects.filter(employee_no__in=numbers).values_list("employee_no", "pk"))
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(
                _("No employee with the number %(numbers)s."), params={"numbers": ", ".join(unknown[:5])}
            )
        return [found[n] for n in numbers]
