"""Forms of the two-factor login pages (SEC-2, SEC-3)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["TwoFactorCodeForm", "TwoFactorTokenFilterForm", "TwoFactorVerifyForm"]


def _code_field(label=None):
    return forms.CharField(
        label=label or _("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app (set-up, new recovery codes, turning 2FA off)."""

    code = _code_field(_("Code from your authenticator app"))


class TwoFactorVerifyForm(forms.Form):
    """The login's second step: an app code or a recovery code, and trust for this browser."""

    code = _code_field(_("Code"))
    trust = forms.BooleanField(label=_("Trust this device"), required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, trust_days: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes "
            "(each recovery code works once)."
        )
        if trust_days > 0:
            self.fields["trust"].label = _("Trust this device for %(days)d days") % {"days": trust_days}
            self.fields["trust"].help_text = _("Only on a computer or phone that is yours alone.")
        else:
            del self.fields["trust"]


class TwoFactorTokenFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("active", pgettext_lazy("api token", "Active")),
            ("expired", pgettext_lazy("api token", "Expired")),
            ("revoked", pgettext_lazy("api token", "Revoked")),
        ],
    )

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}
