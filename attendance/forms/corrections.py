"""Forms of the correction pages (补卡, ATT-2): shape only; the services check the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter import inputs

__all__ = ["CorrectionDecisionForm", "PunchCorrectionForm"]


class PunchCorrectionForm(forms.Form):
    """补卡 (ATT-2). There is no employee field: the request is always the user's own."""

    work_date = inputs.DateField(
        label=_("Working day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    requested_time = inputs.DateTimeField(
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
