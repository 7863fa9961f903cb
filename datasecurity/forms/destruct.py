"""Forms of the destruction pages (SEC-4): shape only; the services check the rules (bounds of a
period, a reason, who may decide) and their refusals land on the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["DestructionDecisionForm", "DestructionRequestForm", "RetentionPeriodForm"]


class RetentionPeriodForm(forms.Form):
    category = forms.CharField(widget=forms.HiddenInput, max_length=50)
    # Text, not a number field: the service explains a bad value with the SEC-4 bounds.
    days = forms.CharField(
        label=_("Kept for (days)"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "form-control form-control-sm"}),
    )


class DestructionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this data is no longer needed"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The approver reads it; it is kept with the request and in the audit trail (SEC-4)."),
    )


class DestructionDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
