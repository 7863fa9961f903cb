"""Forms of HR's cycle pages (PRF-2): open a month, filter the review, lock (with force)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter import inputs
from performance.models import AppraisalStatus
from performance.rules import month_last_day

__all__ = [
    "CycleLockForm",
    "CycleOpenForm",
    "CycleReviewFilterForm",
]


class CycleOpenForm(forms.Form):
    month = inputs.MonthField(
        label=_("Month"),
        help_text=_("A month that has ended (PRF-2: scoring at month end), e.g. 2025-05."),
    )
    # Sent by the confirmation step when the month's deadlines have passed (PRF-2).
    confirm_overdue = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_month(self) -> datetime.date:
        month = self.cleaned_data["month"]
        if month_last_day(month) >= timezone.localdate():
            raise forms.ValidationError(
                _("%(month)s has not ended yet; a month is appraised at its end (PRF-2)."),
                code="month_not_ended",
                params={"month": month.strftime("%Y-%m")},
            )
        return month


class CycleReviewFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Waiting for"),
        required=False,
        choices=[
            ("", _("Any step")),
            (AppraisalStatus.SELF, _("Self-evaluation")),
            (AppraisalStatus.SUPERIOR, _("Superior's evaluation")),
            (AppraisalStatus.INTERVIEW, _("Feedback interview")),
        ],
    )
    # Ids, validated as numbers; the selector applies them inside the reader's visible scope, and
    # the options offered are the departments and teams of that scope (set_options).
    department = inputs.IdField(label=_("Department"), required=False, widget=forms.Select)
    team = inputs.IdField(label=_("Team"), required=False, widget=forms.Select)

    def set_options(self, *, departments, teams) -> None:
        self.fields["department"].widget.choices = [("", _("All departments")), *((d.pk, d.name) for d in departments)]
        self.fields["team"].widget.choices = [("", _("All teams")), *((t.pk, t.name) for t in teams)]

    def filters(self) -> dict:
        """Valid filters only; an unknown option is dropped, never passed to the selector."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data[k] for k in ("stage", "department", "team") if data.get(k) and k not in self.errors}


class CycleLockForm(forms.Form):
    force = forms.BooleanField(
        label=_("Lock even if some appraisals are not completed (their bonus band will be E)"),
        required=False,
    )
