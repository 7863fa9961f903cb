"""Forms of the accounts area."""

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from callcenter.roles import Role

__all__ = [
    "ApiTokenCreateForm",
    "ApiTokenFilterForm",
    "PasswordChangeForm",
    "UserRoleChangeForm",
    "UserRoleFilterForm",
]


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user, *args, request, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        # Checked like a login (SEC-2): through authenticate(), so django-axes counts a wrong
        # password as a failed attempt on the account and refuses a locked one (the view then
        # ends the session).
        value = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=value)
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(_("Your current password is not correct."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords do not match."))
        return data


class UserRoleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices])

    def filters(self) -> dict:
        """The valid filters (an invalid one is left out, never an error page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"q": data.get("q") or "", "role": data.get("role") or ""}


class UserRoleChangeForm(forms.Form):
    """One button of the role page: give (``assign``) or take (``remove``) one role."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    op = forms.ChoiceField(choices=[("assign", _("Give")), ("remove", _("Remove"))])


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the tool or script that uses it."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    lifetime_days = forms.IntegerField(
        label=_("Lifetime (days)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Empty: the longest the account policy allows."),
    )


class ApiTokenFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("active", pgettext_lazy("api token", "Active")),
            ("expired", pgettext_lazy("api token", "Expired")),
            ("revoked", pgettext_lazy("api token", "Revoked")),
            ("all", _("All")),
        ],
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"everyone": True, "q": data.get("q") or "", "status": data.get("status") or "active"}
