"""Form of the effect pages (TRN-3): HR's conclusion. Shape only; the service checks the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter import inputs

__all__ = ["EffectReviewForm"]


class EffectReviewForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Conclusion"),
        min_length=5,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("TRN-3: what the figures say, and what to change in the plan."),
    )
    reviewed_on = inputs.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
