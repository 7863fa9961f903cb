"""Input parsing for the indicator and template pages (PRF-1).

Forms check the shape of the input (a number is a number); the rules (weights sum to exactly
100, no duplicate, active indicators only, a metric source needs a target) live in
:mod:`performance.services.setup`, which explains every refusal. The forms list exactly the
fields HR may set: never the code of an existing indicator, never ids or timestamps.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from callcenter.selectors import position_list
from performance.models import AutoSource, IndicatorGroup, ScoringMethod

__all__ = [
    "ROWS_MIN",
    "IndicatorForm",
    "TemplateForm",
]

ROWS_MIN = 6  # empty rows offered by the template editor (more are added in the browser)


class IndicatorForm(forms.Form):
    """Create (``editing=False``: the code is asked) or edit (the code is shown, fixed)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lowercase letters, digits and underscores; fixed once created."),
    )
    name = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    group = forms.ChoiceField(label=_("Group (PRF-1)"), choices=IndicatorGroup.choices)
    method = forms.ChoiceField(label=_("Scoring"), choices=ScoringMethod.choices, widget=forms.RadioSelect)
    scale_max = forms.IntegerField(
        label=_("Scale (0 to)"),
        min_value=1,
        max_value=1000,
        initial=100,
        help_text=_("People score on 0..this value; converted to 0..100 for the weighted total."),
    )
    auto_source = forms.ChoiceField(
        label=_("Data source"),
        choices=[("", "—"), *AutoSource.choices],
        required=False,
        help_text=_("Automatic indicators only."),
    )
    target = forms.DecimalField(
        label=_("Target"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_(
            "Metric sources only: the value that earns 100 points (e.g. 1500 calls a month, 90 % resolved, "
            "300 seconds handling time, 98 % QA accuracy)."
        ),
    )
    description = forms.CharField(
        label=_("How it is scored (Chinese)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    description_en = forms.CharField(
        label=_("How it is scored (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text=_("Shown to readers of the English interface; empty: the Chinese text is shown."),
    )
    active = forms.BooleanField(label=pgettext_lazy("setting: in use", "Active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            # Never read from the request: the code is fixed once created.
            self.fields["code"].disabled = True
            self.fields["code"].required = False

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        if self.editing:
            data.pop("code", None)
        return data


class TemplateForm(forms.Form):
    """The template's post and name; the rows (indicator + weight) come as parallel lists
    ``indicator`` / ``weight`` so the browser can add rows; :meth:`items` reads them."""

    position = forms.ModelChoiceField(label=_("Position (岗位)"), queryset=position_list())
    name = forms.CharField(label=_("Template name"), max_length=100, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["position"].disabled = True
            self.fields["position"].required = False

    def items(self) -> list[dict]:
        """Non-empty rows, in order. Shape only: the service checks the indicators and weights."""
        if not self.is_bound:
            return []
        indicators = self.data.getlist("indicator")
        weights = self.data.getlist("weight")
        rows = []
        for index in range(max(len(indicators), len(weights))):
            indicator = (indicators[index] if index < len(indicators) else "").strip()
            weight = (weights[index] if index < len(weights) else "").strip()
            if not indicator and not weight:
                continue
            rows.append({"indicator": indicator or None, "weight": weight.replace(",", ".")})
        return rows
