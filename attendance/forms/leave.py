"""Input parsing for the leave pages (ATT-3, LV-1..LV-5).

Forms check the shape of the input only (a date is a date, a number a number); the leave rules
(notice, certificates, limits, balances, routes) live in the services and selectors, which
explain every refusal with its article.
"""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.models import LeaveStatus, LeaveType
from attendance.selectors import LeaveQuote, approval_delegate_candidates, leave_quote, leave_type_list
from callcenter import inputs
from callcenter.errors import ApplicationError
from callcenter.models import Employee

__all__ = [
    "CERTIFICATE_ACCEPT",
    "ApprovalDelegationForm",
    "EmployeeChoiceField",
    "EmployeeNumberField",
    "LeaveBalanceFilterForm",
    "LeaveBalanceGrantForm",
    "LeaveBalanceSetForm",
    "LeaveBulkDecisionForm",
    "LeaveCertificateForm",
    "LeaveDecisionForm",
    "LeaveQuoteForm",
    "LeaveRequestFilterForm",
    "LeaveRequestForm",
    "LeaveRevokeForm",
    "LeaveTypeChoiceField",
    "LeaveTypeForm",
    "LeaveTypeSelect",
    "MultipleFileField",
    "MultipleFileInput",
]

_DATE_WIDGET = {"type": "date"}
# <input type="date"> only takes ISO dates, whatever the language's date format (zh: 2026/11/28).
_ISO = "%Y-%m-%d"
CERTIFICATE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class LeaveTypeSelect(forms.Select):
    """Each option says which rule its type follows (``data-rule``), so the page can show the
    fields of that rule only (CSS ``:has()``, no script: LV-2 personal, LV-3 maternity)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-rule"] = instance.rule
            if instance.requires_certificate:
                option["attrs"]["data-certificate"] = "1"
        return option


class LeaveTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploads in one input; the service checks each file's content (LV-2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": CERTIFICATE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _quote_attrs(extra: dict | None = None) -> dict:
    # data-quote: the inputs the live quote reads (hx-include="[data-quote]").
    return {"data-quote": "1", **(extra or {})}


class LeaveQuoteForm(forms.Form):
    """What the live quote needs: type, days, half days, maternity facts (LV-3, LV-4).
    ``employee``: whose request it would be (the quote reads their roster, balance and route)."""

    QUOTE_FIELDS = ("leave_type", "start_date", "end_date", "starts_afternoon", "ends_at_noon", "extra_babies")

    leave_type = LeaveTypeChoiceField(
        label=_("Leave type"),
        queryset=LeaveType.objects.none(),
        widget=LeaveTypeSelect(attrs=_quote_attrs()),
        empty_label=_("Choose a type"),
    )
    start_date = inputs.DateField(
        label=_("First day"), widget=forms.DateInput(attrs=_quote_attrs(_DATE_WIDGET), format=_ISO)
    )
    starts_afternoon = forms.BooleanField(
        label=_("Starts in the afternoon"),
        required=False,
        widget=forms.CheckboxInput(attrs=_quote_attrs()),
        help_text=_("The first day counts as half a day."),
    )
    end_date = inputs.DateField(
        label=_("Last day"), widget=forms.DateInput(attrs=_quote_attrs(_DATE_WIDGET), format=_ISO)
    )
    ends_at_noon = forms.BooleanField(
        label=_("Ends at noon"),
        required=False,
        widget=forms.CheckboxInput(attrs=_quote_attrs()),
        help_text=_("The last day counts as half a day."),
    )
    difficult_birth = forms.BooleanField(
        label=_("Difficult birth"), required=False, widget=forms.CheckboxInput(attrs=_quote_attrs())
    )
    extra_babies = forms.IntegerField(
        label=_("Additional babies"),
        min_value=0,
        max_value=5,
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs=_quote_attrs({"min": 0, "max": 5})),
        help_text=_("Twins: 1, triplets: 2."),
    )

    def __init__(self, *args, employee: Employee | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.employee = employee
        self.fields["leave_type"].queryset = leave_type_list()

    def quote(self) -> tuple[LeaveQuote | None, str]:
        """How the bound input would count (LV-3) and who would approve it (LV-4), or why it
        cannot be counted at all: (quote, "") or (None, the reason). Problems the request would
        be refused for are in the quote (``problems``), all at once."""
        if self.employee is None or not self.is_bound:
            return None, ""
        self.is_valid()
        if any(name not in self.cleaned_data for name in self.QUOTE_FIELDS):
            # A value given but refused (a date outside the calendar's range) says why; a field
            # not filled in yet asks for it.
            refused = [n for n in self.QUOTE_FIELDS if self.data.get(self.add_prefix(n)) and self.errors.get(n)]
            if refused:
                return None, " ".join(str(message) for name in refused for message in self.errors[name])
            return None, str(_("Choose the type, the first and the last day to see how they count."))
        try:
            return leave_quote(employee=self.employee, **self.quote_arguments()), ""
        except ApplicationError as exc:
            return None, str(exc.message)

    def clean_extra_babies(self):
        return self.cleaned_data.get("extra_babies") or 0

    def quote_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "leave_type": data["leave_type"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "starts_afternoon": data["starts_afternoon"],
            "ends_at_noon": data["ends_at_noon"],
            "difficult_birth": data["difficult_birth"],
            "extra_babies": data["extra_babies"],
        }


class LeaveRequestForm(LeaveQuoteForm):
    """A leave request. There is no employee field: a request is always the user's own."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Personal leave: at least 5 characters (LV-2)."),
    )
    expected_days = forms.DecimalField(
        label=_("Expected number of days"),
        required=False,
        min_value=Decimal("0.5"),
        max_value=Decimal("366"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
        help_text=_("Personal leave: how many days you expect to need (LV-2)."),
    )
    certificates = MultipleFileField(
        label=_("Certificates"),
        required=False,
        help_text=_("Hospital certificate for sick leave (LV-2): PDF, JPEG or PNG, several files allowed."),
    )

    field_order = [
        "leave_type",
        "start_date",
        "starts_afternoon",
        "end_date",
        "ends_at_noon",
        "reason",
        "expected_days",
        "difficult_birth",
        "extra_babies",
        "certificates",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            tomorrow = timezone.localdate() + datetime.timedelta(days=1)
            self.fields["start_date"].initial = tomorrow
            self.fields["end_date"].initial = tomorrow

    def submit_arguments(self) -> dict:
        """The arguments of ``services.leave_request_submit`` (the type by its id)."""
        data = self.cleaned_data
        arguments = self.quote_arguments()
        leave_type = arguments.pop("leave_type")
        return {
            **arguments,
            "leave_type_id": leave_type.pk,
            "reason": data["reason"],
            "expected_days": data["expected_days"],
            "certificates": data["certificates"],
        }


class LeaveDecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class LeaveBulkDecisionForm(forms.Form):
    ACTIONS = [("approve", _("Approve")), ("reject", _("Reject"))]

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    action = forms.ChoiceField(choices=ACTIONS)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service decides what the user may act on.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        self.fields["ids"].choices = [(value, value) for value in raw]
        self.fields["ids"].error_messages["required"] = _("Select at least one request.")

    def clean_ids(self):
        ids = self.cleaned_data["ids"]
        if len(ids) > 200:
            raise forms.ValidationError(_("At most 200 requests at once."))
        return ids


class LeaveRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The employee reads it; the days return to the balance and attendance is recomputed (LV-5)."),
    )


class LeaveCertificateForm(forms.Form):
    certificate = forms.FileField(
        label=_("Add a certificate"),
        widget=forms.ClearableFileInput(attrs={"accept": CERTIFICATE_ACCEPT}),
        help_text=_("PDF, JPEG or PNG (LV-2)."),
    )


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.employee_no}"


class ApprovalDelegationForm(forms.Form):
    """An approver away hands their leave approvals to a colleague (LV-4)."""

    delegate = EmployeeChoiceField(
        label=_("Colleague"),
        queryset=Employee.objects.none(),
        help_text=_("Colleagues of your department and approvers of other departments."),
    )
    start_date = inputs.DateField(label=_("From"), widget=forms.DateInput(attrs=_DATE_WIDGET, format=_ISO))
    end_date = inputs.DateField(label=_("Until"), widget=forms.DateInput(attrs=_DATE_WIDGET, format=_ISO))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, me: Employee | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = approval_delegate_candidates(delegator=me)
        self.fields["delegate"].queryset = qs
        if not self.is_bound:
            self.fields["start_date"].initial = timezone.localdate
            self.fields["end_date"].initial = timezone.localdate


# --- HR -------------------------------------------------------------------------------------------


class LeaveTypeForm(forms.ModelForm):
    """Create or edit a leave type (LV-1). The code of an existing type never changes (requests,
    balances and reports refer to it); the statutory types take their limits from the policy."""

    class Meta:
        model = LeaveType
        fields = [
            "code",
            "name",
            "name_en",
            "counting",
            "requires_certificate",
            "uses_balance",
            "max_days_per_request",
            "allow_half_days",
            "paid",
            "active",
            "sort_order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            if self.instance.rule != "custom":
                self.fields["max_days_per_request"].disabled = True


class EmployeeNumberField(forms.ModelChoiceField):
    """An employee typed by number, among the employees the form is given."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": _("No employee with this number.")})
        super().__init__(queryset=Employee.objects.none(), to_field_name="employee_no", **kwargs)

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)

    def prepare_value(self, value):
        return value.employee_no if isinstance(value, Employee) else value


class LeaveBalanceSetForm(forms.Form):
    employee_no = EmployeeNumberField(label=_("Employee number"), widget=forms.TextInput(attrs={"maxlength": 20}))
    leave_type = LeaveTypeChoiceField(label=_("Leave type"), queryset=LeaveType.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    entitled_days = forms.DecimalField(
        label=_("Entitled (days)"),
        min_value=Decimal("0"),
        max_value=Decimal("366"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("At least 5 characters; kept with the balance and in the audit trail."),
    )

    def __init__(self, *args, employees=None, type_code: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if employees is not None:
            self.fields["employee_no"].queryset = employees
        types = leave_type_list(active_only=False).filter(uses_balance=True)
        self.fields["leave_type"].queryset = types
        if type_code and not self.is_bound:
            self.initial["leave_type"] = types.filter(code=type_code).first()
        if not self.is_bound:
            self.fields["year"].initial = timezone.localdate().year


class LeaveBalanceGrantForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class LeaveRequestFilterForm(forms.Form):
    """Filters of the requests list; every field optional, bad values are ignored."""

    q = forms.CharField(label=_("Name or number"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    leave_type = forms.ChoiceField(label=_("Leave type"), required=False)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    date_from = inputs.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs=_DATE_WIDGET, format=_ISO)
    )
    date_to = inputs.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=_DATE_WIDGET, format=_ISO))

    def __init__(self, *args, teams=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["status"].choices = everything + list(LeaveStatus.choices)
        self.fields["leave_type"].choices = everything + [
            (t.code, t.display_name) for t in leave_type_list(active_only=False)
        ]
        self.fields["department"].choices = everything + [(d.pk, f"{d.code} · {d.name}") for d in departments]
        self.fields["team"].choices = everything + [(t.pk, f"{t.code} · {t.name}") for t in teams]

    def filters(self) -> dict:
        # Keep the valid filters, drop the others: a stale link never becomes an error page.
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class LeaveBalanceFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    leave_type = forms.ChoiceField(label=_("Leave type"), required=False)
    q = forms.CharField(label=_("Name or number"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].choices = [("", _("All"))] + [
            (t.code, t.display_name) for t in leave_type_list(active_only=False).filter(uses_balance=True)
        ]

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
