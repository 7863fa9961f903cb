"""The form of a new policy version, built from the policy model."""

from django import forms
from django.forms import modelform_factory

from callcenter import inputs

__all__ = [
    "policy_version_form_class",
]


def policy_version_form_class(model):
    """A form for a new version of ``model``: its parameters, the effective date and a reason."""
    fields = ["effective_from", *[f.name for f in model.parameter_fields()], "note"]
    return modelform_factory(
        model,
        fields=fields,
        # ISO: <input type="date"> accepts nothing else (the locale format 2026/12/06 shows empty).
        widgets={"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")},
        field_classes={"effective_from": inputs.DateField},
    )
