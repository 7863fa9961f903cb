"""Forms of the access grant page: give a grant, end one early, filter the list."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Department, GrantKind, Team, User

__all__ = [
    "AccessGrantFilterForm",
    "AccessGrantForm",
    "AccessGrantRevokeForm",
]

_DATE_WIDGET = {"type": "date"}
# <input type="date"> only takes ISO dates, whatever the language's date format.
_ISO = "%Y-%m-%d"


class _GranteeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        employee = getattr(obj, "employee", None)
        return f"{employee.name} · {obj.get_username()}" if employee else obj.get_username()


class _CodeNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class AccessGrantForm(forms.Form):
    """Who, what (a kind and its object), from, until, why. Only the object field of the chosen
    kind is read; the service checks everything else (SEC-2)."""

    kind = forms.ChoiceField(label=_("Kind of access"), choices=GrantKind.choices)
    grantee = _GranteeChoiceField(label=_("Given to"), queryset=User.objects.none())
    team = _CodeNameChoiceField(
        label=_("Team to cover"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("For a covering supervisor."),
    )
    department = _CodeNameChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("For an HR user limited to departments (one grant per department)."),
    )
    complaint = forms.CharField(
        label=_("Complaint reference"),
        max_length=30,
        required=False,
        help_text=_("For read access to one complaint case."),
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=_DATE_WIDGET, format=_ISO))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs=_DATE_WIDGET, format=_ISO))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, grantees=None, teams=None, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grantee"].queryset = grantees if grantees is not None else User.objects.none()
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["department"].queryset = departments if departments is not None else Department.objects.none()
        if not self.is_bound:
            self.fields["starts_on"].initial = timezone.localdate
            self.fields["ends_on"].initial = timezone.localdate

    def service_arguments(self) -> dict:
        """The cleaned data as ``access_grant_create`` takes it (the object of the chosen kind)."""
        data = self.cleaned_data
        kind = data["kind"]
        target = {
            GrantKind.TEAM: data["team"].pk if data.get("team") else None,
            GrantKind.DEPARTMENT: data["department"].pk if data.get("department") else None,
            GrantKind.COMPLAINT: data.get("complaint") or None,
        }.get(kind)
        return {
            "kind": kind,
            "grantee_id": data["grantee"].pk,
            "target": target,
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "reason": data["reason"],
        }


class AccessGrantRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why it ends early"), max_length=500)


class AccessGrantFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("current", _("In force or scheduled")),
            ("in_force", _("In force")),
            ("scheduled", _("Scheduled")),
            ("ended", _("Ended")),
            ("all", _("All")),
        ],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *GrantKind.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"state": "current"}
        data = self.cleaned_data
        return {"state": data.get("state") or "current", "kind": data.get("kind") or "", "q": data.get("q") or ""}
