"""Input parsing for the training records pages (TRN-3): the list's filters and HR's entry of an
external course. Shapes only; the rules are the services'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter import inputs
from callcenter.models import Employee
from callcenter.selectors import employee_choices, team_choices
from training.models import Course, RecordResult, TopicArea

__all__ = ["ExternalRecordForm", "RecordFilterForm"]


class RecordFilterForm(forms.Form):
    """The records list's filters (GET): bad values are dropped, never a 500."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    topic = forms.ChoiceField(label=_("Topic area"), choices=[("", "—"), *TopicArea.choices], required=False)
    result = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *RecordResult.choices], required=False)
    team = inputs.IdField(label=_("Team"), required=False, widget=forms.Select)
    q = forms.CharField(label=_("Employee"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = list(team_choices(user=user))
        self.fields["team"].widget.choices = [("", _("All teams")), *((t.pk, t.name) for t in self.teams)]

    def filters(self) -> dict:
        if not self.is_valid():
            return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class _EmployeeNumberField(forms.ModelChoiceField):
    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": _("No employee with this number.")})
        super().__init__(queryset=Employee.objects.none(), to_field_name="employee_no", **kwargs)

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)


class ExternalRecordForm(forms.Form):
    """HR enters a course taken outside (TRN-3)."""

    employee_no = _EmployeeNumberField(label=_("Employee number"), widget=forms.TextInput(attrs={"maxlength": 20}))
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    completed_on = inputs.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.5"), max_value=Decimal("999"), max_digits=5, decimal_places=1
    )
    score = forms.DecimalField(
        label=_("Score"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("0–100; empty when the course had no assessment."),
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[(v, label) for v, label in RecordResult.choices if v != RecordResult.ABSENT],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee_no"].queryset = employee_choices(user=user)
        self.fields["course"].queryset = Course.objects.filter(active=True).order_by("code")
