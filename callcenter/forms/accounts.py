"""Forms of the accounts area."""

from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter.roles import Role

__all__ = [
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

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
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
