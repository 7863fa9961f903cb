"""Input parsing for the complaint pages (CMP-1..CMP-3).

Forms check the shape of the input only (a date is a date, a score a number); the workflow rules
(who may act, which transition is allowed, contact validation) live in the services, which
explain every refusal.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter import inputs
from callcenter.selectors import employees_with_role, team_choices
from complaints.models import Channel, ComplaintStatus, Urgency
from complaints.selectors import (
    ALL_COMPLAINTS_ROLES,
    ORDERINGS,
    complaint_category_list,
    complaint_concerned_choices,
    complaint_concerned_team_choices,
    complaint_responsible_choices,
)
from complaints.services import HANDLER_ROLES, LOG_KINDS

__all__ = [
    "CategoryChoiceField",
    "ComplaintAssignForm",
    "ComplaintConcernedForm",
    "ComplaintFilterForm",
    "ComplaintFollowUpForm",
    "ComplaintLogForm",
    "ComplaintPlanForm",
    "ComplaintReasonForm",
    "ComplaintRecordForm",
    "ComplaintResolveForm",
    "EmployeeChoiceField",
    "EmployeeMultipleChoiceField",
    "PersonSelect",
    "PersonSelectMultiple",
    "TeamChoiceField",
]

DATE_WIDGET = {"type": "date"}
DATETIME_WIDGET = {"type": "datetime-local"}
ISO = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class _PersonOptions:
    """Options that carry the person's pinyin initials (张伟 → "zw"), so the picker's search box
    (static/js/complaint_pickers.js) finds 张伟 by "zw" as well as by name or number."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-initials"] = instance.name_initials
        return option


class PersonSelect(_PersonOptions, forms.Select):
    pass


class PersonSelectMultiple(_PersonOptions, forms.SelectMultiple):
    pass


SEARCH_HINT = _("Filter by name, initials or number")


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.employee_no}"


class EmployeeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        team = f" · {obj.team.name}" if obj.team_id else ""
        return f"{obj.name} · {obj.employee_no}{team}"


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


class ComplaintRecordForm(forms.Form):
    """A complaint taken by phone, e-mail or online (CMP-1)."""

    customer_name = forms.CharField(label=_("Customer name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        help_text=_("A mobile like 138 1234 5678 or a landline with its area code."),
    )
    email = forms.CharField(label=_("E-mail"), max_length=200, required=False)
    matter = forms.CharField(label=_("Matter"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    received_at = inputs.DateTimeField(
        label=_("Time received"),
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET, format=ISO_DATETIME),
        input_formats=[ISO_DATETIME, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    category = CategoryChoiceField(
        label=_("Category"), queryset=complaint_category_list(), required=False, empty_label=_("Not yet known")
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        help_text=_("Urgent starts the emergency procedure at once: the complaint team and the leaders are alerted."),
    )
    concerned_team = TeamChoiceField(label=_("Team concerned"), queryset=None, required=False, empty_label=_("None"))
    concerned_employees = EmployeeMultipleChoiceField(
        label=_("Agents concerned"),
        queryset=None,
        required=False,
        widget=PersonSelectMultiple(attrs={"size": 8, "data-search": SEARCH_HINT}),
        help_text=_("The agents the customer complains about; the owner is chosen separately."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the employees the user may see (like the API): recording cannot look names up.
        self.fields["concerned_employees"].queryset = complaint_concerned_choices(user=user)
        self.fields["concerned_team"].queryset = complaint_concerned_team_choices()
        self.fields["category"].queryset = complaint_category_list()
        if not self.is_bound:
            self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def record_arguments(self) -> dict:
        """The arguments of :func:`complaints.services.complaint_record`: related records by id
        (the category by its code)."""
        data = self.cleaned_data
        return {
            "customer_name": data["customer_name"],
            "phone": data["phone"],
            "email": data["email"],
            "matter": data["matter"],
            "received_at": data["received_at"],
            "channel": data["channel"],
            "category_code": data["category"].code if data["category"] else "",
            "urgency": data["urgency"],
            "concerned_team_id": data["concerned_team"].pk if data["concerned_team"] else None,
            "concerned_employee_ids": [e.pk for e in data["concerned_employees"]],
        }


class ComplaintFilterForm(forms.Form):
    """Filters of the queue; every field optional, bad values are ignored."""

    q = forms.CharField(label=_("Reference or customer"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    date_from = inputs.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET, format=ISO)
    )
    date_to = inputs.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET, format=ISO)
    )
    ordering = forms.ChoiceField(label=_("Order by"), required=False)

    ORDERING_LABELS = {
        "received": _("Newest first"),
        "oldest": _("Oldest first"),
        "due": _("First response due"),
        "urgency": _("Urgent first"),
    }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The owners are the complaint team; the teams, those of the reader's remit (every team for
        # the roles that read every complaint): one selector decides it.
        owners = employees_with_role(*HANDLER_ROLES)
        teams = team_choices(user=user, company_wide_roles=ALL_COMPLAINTS_ROLES)
        everything = [("", _("All"))]
        self.fields["status"].choices = [*everything, ("open", _("Open")), *ComplaintStatus.choices]
        self.fields["urgency"].choices = everything + list(Urgency.choices)
        self.fields["channel"].choices = everything + list(Channel.choices)
        self.fields["category"].choices = everything + [
            (c.code, c.display_name) for c in complaint_category_list(active_only=False)
        ]
        self.fields["owner"].choices = (
            everything
            + [("me", _("Mine")), ("none", _("Not assigned yet"))]
            + [(str(e.pk), f"{e.name} · {e.employee_no}") for e in owners]
        )
        self.fields["team"].choices = everything + [(t.pk, f"{t.code} · {t.name}") for t in teams]
        self.fields["ordering"].choices = [(key, self.ORDERING_LABELS.get(key, key)) for key in ORDERINGS]

    def filters(self) -> dict:
        # Keep the valid filters, drop the others: a stale link never becomes an error page.
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class ComplaintAssignForm(forms.Form):
    owner = EmployeeChoiceField(label=_("Owner"), queryset=None, empty_label=_("Choose"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = employees_with_role(*HANDLER_ROLES)


class ComplaintConcernedForm(forms.Form):
    """The agents and the team the investigation found concerned (CMP-2): replaces those named at
    intake. The same searchable picker as the intake (sorted by name; name, initials or number)."""

    concerned_team = TeamChoiceField(label=_("Team concerned"), queryset=None, required=False, empty_label=_("None"))
    concerned_employees = EmployeeMultipleChoiceField(
        label=_("Agents concerned"),
        queryset=None,
        required=False,
        widget=PersonSelectMultiple(attrs={"size": 6, "data-search": SEARCH_HINT}),
        help_text=_("Who was really involved, as the investigation found; replaces the current list."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concerned_employees"].queryset = complaint_concerned_choices(user=user)
        self.fields["concerned_team"].queryset = complaint_concerned_team_choices()

    def service_arguments(self) -> dict:
        """The arguments of :func:`complaints.services.complaint_concerned_set`: records by id."""
        data = self.cleaned_data
        return {
            "team_id": data["concerned_team"].pk if data["concerned_team"] else None,
            "employee_ids": [e.pk for e in data["concerned_employees"]],
        }


class ComplaintLogForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=[(k.value, k.label) for k in LOG_KINDS])
    text = forms.CharField(label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    call_reference = forms.CharField(
        label=_("Call reference"), max_length=100, required=False, help_text=_("The recording of the call, if any.")
    )


class ComplaintPlanForm(forms.Form):
    description = forms.CharField(label=_("Plan"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    responsible = EmployeeChoiceField(
        label=_("Responsible"),
        queryset=None,
        empty_label=_("Choose"),
        widget=PersonSelect(attrs={"data-search": SEARCH_HINT}),
    )
    deadline = inputs.DateTimeField(
        label=_("Deadline"),
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET, format=ISO_DATETIME),
        input_formats=[ISO_DATETIME, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Anyone active may be responsible: the complaint team picks company-wide, sorted by name.
        self.fields["responsible"].queryset = complaint_responsible_choices(user=user)


class ComplaintResolveForm(forms.Form):
    text = forms.CharField(label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    # CMP-4: required by the service unless the cause was given at intake (then it is the initial).
    cause = forms.CharField(
        label=_("Cause"),
        max_length=200,
        required=False,
        help_text=_("What the investigation found; the statistics count complaints by cause (CMP-4)."),
        widget=forms.TextInput(attrs={"list": "complaint-cause-suggestions", "autocomplete": "off"}),
    )


class ComplaintFollowUpForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        help_text=_("1 very unsatisfied … 5 very satisfied; below the policy's threshold reopens the complaint."),
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ComplaintReasonForm(forms.Form):
    """Pause the clock, or (company leader) close the complaint: a reason either way."""

    reason = forms.CharField(label=_("Reason"), max_length=500)
