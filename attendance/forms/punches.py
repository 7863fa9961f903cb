"""Forms of the punch pages (ATT-2): the filter of the proxy-punching report."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter import inputs

__all__ = ["ProxyPunchFilterForm"]

_DATE_ATTRS = {"type": "date"}
_ISO = "%Y-%m-%d"


class ProxyPunchFilterForm(forms.Form):
    # ISO: <input type="date"> accepts nothing else (the locale format 2026/12/06 shows empty).
    date_from = inputs.DateField(label=_("From"), required=False, widget=forms.DateInput(_DATE_ATTRS, format=_ISO))
    date_to = inputs.DateField(label=_("To"), required=False, widget=forms.DateInput(_DATE_ATTRS, format=_ISO))
    window_minutes = forms.IntegerField(label=_("Window (minutes)"), min_value=1, max_value=30, required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["date_to"] = data.get("date_to") or today
        data["date_from"] = data.get("date_from") or data["date_to"] - datetime.timedelta(days=6)
        data["window_minutes"] = data.get("window_minutes") or 2
        if data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if (data["date_to"] - data["date_from"]).days > 30:
            raise forms.ValidationError(_("Choose at most 31 days."))
        return data
