"""Forms of the appraisal pages (PRF-3). They parse and check the shape of the input; the rules
(who, when, complete or not, locked) are the services'. Each form carries exactly the fields its
role may set: the self form has no superior field and the superior form no self field."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from callcenter import inputs
from performance.models import ActionStatus, AppraisalStatus, ScoringMethod
from performance.services import APPRAISAL_COMMENT_MAX, APPRAISAL_TEXT_MAX

__all__ = [
    "ACTION_ROWS",
    "ISO_DATE",
    "AppraisalInterviewForm",
    "AppraisalScoresForm",
    "AppraisalSendBackForm",
    "AppraisalTeamFilterForm",
    "scores_initial",
]

ACTION_ROWS = 3


class AppraisalScoresForm(forms.Form):
    """Scores and comments of the people-scored items plus a summary, for one side (self or
    superior). ``submit`` comes from the button pressed (save a draft / submit)."""

    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=APPRAISAL_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, items, side: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.side = side
        self.manual_items = [i for i in items if i.method == ScoringMethod.MANUAL]
        side_label = _("self-evaluation") if side == "self" else _("superior's evaluation")
        for item in self.manual_items:
            name = item.indicator.display_name
            # Each input is named for its indicator: a screen reader says which score it is.
            score_label = _("%(indicator)s: score of the %(side)s (0–%(max)s)") % {
                "indicator": name,
                "side": side_label,
                "max": item.scale_max,
            }
            self.fields[f"score_{item.pk}"] = forms.DecimalField(
                label=score_label,
                required=False,
                min_value=Decimal("0"),
                max_value=Decimal(item.scale_max),
                decimal_places=2,
                max_digits=6,
                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal(item.scale_max))],
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": str(item.scale_max)}),
            )
            self.fields[f"comment_{item.pk}"] = forms.CharField(
                label=_("%(indicator)s: comment") % {"indicator": name},
                required=False,
                max_length=APPRAISAL_COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def mark_missing(self, item_ids) -> None:
        """After a refused submit: the error next to each score that is still missing (PRF-3)."""
        for pk in item_ids:
            name = f"score_{pk}"
            if name in self.fields and not self.has_error(name):
                self.add_error(name, _("A score is needed to submit (PRF-3)."))

    def bind_items(self) -> None:
        """Attach each item's bound fields for the table (``item.score_field``, ``item.comment_field``)."""
        for item in self.manual_items:
            item.score_field = self[f"score_{item.pk}"]
            item.comment_field = self[f"comment_{item.pk}"]

    def service_items(self) -> dict:
        return {
            item.pk: {
                "score": self.cleaned_data.get(f"score_{item.pk}"),
                "comment": self.cleaned_data.get(f"comment_{item.pk}", ""),
            }
            for item in self.manual_items
        }


def scores_initial(items, side: str, summary: str) -> dict:
    initial = {"summary": summary}
    for item in items:
        if item.method == ScoringMethod.MANUAL:
            initial[f"score_{item.pk}"] = getattr(item, f"{side}_score")
            initial[f"comment_{item.pk}"] = getattr(item, f"{side}_comment")
    return initial


# <input type="date"> accepts only ISO dates: without it the Chinese format (2026/12/06) of the
# "today" default renders as an empty field.
ISO_DATE = "%Y-%m-%d"


class AppraisalInterviewForm(forms.Form):
    """The feedback interview (PRF-3): up to three new actions, and a review of each action
    still open from earlier months."""

    held_on = inputs.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    strengths = forms.CharField(
        label=_("Strengths"), max_length=APPRAISAL_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=_("Problems"), max_length=APPRAISAL_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    employee_comment = forms.CharField(
        label=_("Employee's comment"),
        required=False,
        max_length=APPRAISAL_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, owners, previous_actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous_actions = previous_actions
        owner_choices = [("", "—"), *((str(e.pk), e.name) for e in owners)]
        self.action_rows = []
        for n in range(ACTION_ROWS):
            self.fields[f"action_{n}"] = forms.CharField(
                label=_("Action"), required=False, max_length=APPRAISAL_COMMENT_MAX
            )
            self.fields[f"owner_{n}"] = forms.ChoiceField(label=_("Owner"), required=False, choices=owner_choices)
            self.fields[f"due_on_{n}"] = inputs.DateField(
                label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
            )
            self.action_rows.append(n)
        review_choices = [("", _("Not reviewed")), *ActionStatus.choices]
        for action in previous_actions:
            self.fields[f"review_{action.pk}"] = forms.ChoiceField(
                label=_("Review"), required=False, choices=review_choices
            )
            self.fields[f"note_{action.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=APPRAISAL_COMMENT_MAX
            )

    def bind_rows(self) -> None:
        self.rows = [
            {"action": self[f"action_{n}"], "owner": self[f"owner_{n}"], "due_on": self[f"due_on_{n}"]}
            for n in self.action_rows
        ]
        for action in self.previous_actions:
            action.review_field = self[f"review_{action.pk}"]
            action.note_field = self[f"note_{action.pk}"]

    def clean(self):
        data = super().clean()
        for n in self.action_rows:
            filled = [data.get(f"action_{n}"), data.get(f"owner_{n}"), data.get(f"due_on_{n}")]
            if any(filled) and not all(filled):
                self.add_error(f"action_{n}", _("Give the action, its owner and its due date."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "strengths": data["strengths"],
            "problems": data["problems"],
            "employee_comment": data.get("employee_comment", ""),
            "actions": [
                {"action": data[f"action_{n}"], "owner_id": data[f"owner_{n}"], "due_on": data[f"due_on_{n}"]}
                for n in self.action_rows
                if data.get(f"action_{n}")
            ],
            "reviews": [
                {"action_id": a.pk, "status": data[f"review_{a.pk}"], "note": data.get(f"note_{a.pk}", "")}
                for a in self.previous_actions
                if data.get(f"review_{a.pk}")
            ],
        }


class AppraisalSendBackForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Send back to"),
        choices=[("self", _("the self-evaluation")), ("superior", _("the superior's evaluation"))],
    )
    reason = forms.CharField(label=_("Reason"), max_length=APPRAISAL_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, stages=("self", "superior"), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [c for c in self.fields["stage"].choices if c[0] in stages]


class AppraisalTeamFilterForm(forms.Form):
    month = forms.TypedChoiceField(
        label=_("Month"), required=False, coerce=datetime.date.fromisoformat, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *AppraisalStatus.choices]
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("Name or number"), required=False, max_length=50)

    def __init__(self, *args, months, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.isoformat(), m.strftime("%Y-%m")) for m in months]
        self.fields["team"].choices = [("", _("All teams")), *((t.pk, t.name) for t in teams)]

    def filters(self, default_month) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        month = data.get("month")
        return {
            "month": month or default_month,
            "status": data.get("status") or None,
            "team": data.get("team"),
            "q": data.get("q", ""),
        }
