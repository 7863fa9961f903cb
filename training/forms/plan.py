"""Forms of the plan pages (TRN-1): shape only; the services check the rules. They name exactly the
fields a user may set (mass assignment): never the version, the lineage or who wrote it."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee, Position, Team
from training.models import AudienceKind, Course, DeliveryMode, NeedSource, TopicArea

__all__ = ["CourseChoiceField", "NeedsFilterForm", "PlanCreateForm", "PlanItemForm", "PlanReasonForm"]

MONTH_CHOICES = [("", "—")] + [(str(m), str(m)) for m in range(1, 13)]
QUARTER_CHOICES = [("", "—")] + [(str(q), f"Q{q}") for q in range(1, 5)]


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["year"].initial = timezone.localdate().year
            self.fields["title"].initial = ""


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.title}"


class PlanItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=MONTH_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("A month, or only a quarter below."),
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=QUARTER_CHOICES, coerce=int, empty_value=None, required=False
    )
    topic_area = forms.ChoiceField(label=_("Topic area"), choices=TopicArea.choices)
    delivery_mode = forms.ChoiceField(label=_("Delivery mode"), choices=DeliveryMode.choices)
    planned_hours = forms.DecimalField(label=_("Planned hours"), min_value=0.5, max_value=99999, decimal_places=1)
    budget = forms.DecimalField(label=_("Budget (¥)"), min_value=0, max_digits=12, decimal_places=2, initial=0)
    need = forms.CharField(
        label=_("Need it answers"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("TRN-1: what the item answers (an indicator below target, new hires, a new policy …)."),
    )
    need_source = forms.ChoiceField(label=_("Need source"), choices=NeedSource.choices)
    course = CourseChoiceField(
        label=_("Course"),
        queryset=Course.objects.none(),
        required=False,
        help_text=_("Empty when the course does not exist yet."),
    )
    indicator_code = forms.ChoiceField(
        label=_("Related appraisal indicator"),
        required=False,
        help_text=_("The indicator whose change the effect analysis follows (TRN-3)."),
    )
    audience_kind = forms.ChoiceField(label=_("Audience"), choices=AudienceKind.choices)
    audience_positions = forms.ModelMultipleChoiceField(
        label=_("Positions"), queryset=Position.objects.none(), required=False
    )
    audience_teams = forms.ModelMultipleChoiceField(label=_("Teams"), queryset=Team.objects.none(), required=False)
    audience_people = forms.ModelMultipleChoiceField(
        label=_("Named people"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    reason = forms.CharField(
        label=_("Reason for the adjustment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required once the plan is in force: the adjustment becomes a new version (TRN-1)."),
    )

    def __init__(self, *args, courses=None, indicators=(), positions=None, teams=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses if courses is not None else Course.objects.none()
        self.fields["indicator_code"].choices = [("", "—"), *indicators]
        self.fields["audience_positions"].queryset = positions if positions is not None else Position.objects.none()
        self.fields["audience_teams"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["audience_people"].queryset = people if people is not None else Employee.objects.none()

    def service_data(self) -> dict:
        """The cleaned values as the plan services take them."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "month": data.get("month"),
            "quarter": data.get("quarter"),
            "topic_area": data["topic_area"],
            "delivery_mode": data["delivery_mode"],
            "planned_hours": data["planned_hours"],
            "budget": data["budget"] if data.get("budget") is not None else 0,
            "need": data["need"],
            "need_source": data["need_source"],
            "course_id": data["course"].pk if data.get("course") else None,
            "indicator_code": data.get("indicator_code") or "",
            "audience_kind": data["audience_kind"],
            "audience_position_ids": [o.pk for o in data.get("audience_positions") or []],
            "audience_team_ids": [o.pk for o in data.get("audience_teams") or []],
            "audience_people_ids": [o.pk for o in data.get("audience_people") or []],
            "reason": data.get("reason") or "",
        }


class PlanReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the adjustment"), max_length=2000, required=False)


class NeedsFilterForm(forms.Form):
    threshold = forms.IntegerField(label=_("Below (percent of the scale)"), min_value=1, max_value=100, required=False)
