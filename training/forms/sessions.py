"""Forms of the session pages (TRN-2): parse and check the input; no writes."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from callcenter.inputs import DateTimeField, IdField, MonthField
from training.models import AttendanceMark

__all__ = [
    "AttendanceMarkForm",
    "EnrolForm",
    "SatisfactionForm",
    "ScoreForm",
    "SessionCancelForm",
    "SessionFilterForm",
    "SessionForm",
]


class SessionFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    course = IdField(label=_("Course"), required=False)
    trainer = IdField(label=_("Trainer"), required=False)


class SessionForm(forms.Form):
    starts_at = DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    online_link = forms.URLField(label=_("Online link"), required=False, max_length=500, assume_scheme="https")
    trainer_id = forms.TypedChoiceField(label=_("Trainer"), required=False, coerce=int, empty_value=None)
    provider = forms.CharField(label=_("External provider"), required=False, max_length=200)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=1000)

    def __init__(self, *args, trainers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer_id"].choices = [("", "—")] + [
            (u.pk, getattr(getattr(u, "employee", None), "name", None) or u.get_username()) for u in trainers
        ]


class SessionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class EnrolForm(forms.Form):
    """Who to enrol: people one by one, or a whole team at once (TRN-2)."""

    employees = forms.TypedMultipleChoiceField(
        label=pgettext_lazy("persons chosen", "People"), required=False, coerce=int
    )
    team = forms.TypedChoiceField(label=_("Whole team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, people=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employees"].choices = [(p.pk, f"{p.name} ({p.employee_no})") for p in people]
        self.fields["team"].choices = [("", "—")] + [(t.pk, t.name) for t in teams]
        self._people = list(people)

    def clean(self):
        data = super().clean()
        ids = list(data.get("employees") or [])
        if data.get("team"):
            ids += [p.pk for p in self._people if p.team_id == data["team"]]
        data["employee_ids"] = list(dict.fromkeys(ids))
        if not data["employee_ids"]:
            raise forms.ValidationError(_("Choose who to enrol."))
        return data


class AttendanceMarkForm(forms.Form):
    mark = forms.ChoiceField(label=_("Attendance"), choices=AttendanceMark.choices)


class ScoreForm(forms.Form):
    score = forms.DecimalField(label=_("Score"), min_value=0, max_value=100, max_digits=5, decimal_places=2)


class SatisfactionForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was this session? (1–5)"), choices=[(i, str(i)) for i in range(1, 6)], coerce=int
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
