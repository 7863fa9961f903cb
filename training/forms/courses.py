"""Forms of the course catalogue pages (TRN-1, TRN-2): parse and check the input; no writes."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from training.models import Course, DeliveryMode, TopicArea
from training.services import COURSE_FIELDS

__all__ = ["CourseFilterForm", "CourseForm"]


class CourseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    topic_area = forms.ChoiceField(label=_("Topic area"), required=False, choices=[("", "—"), *TopicArea.choices])
    delivery_mode = forms.ChoiceField(
        label=_("Delivery mode"), required=False, choices=[("", "—"), *DeliveryMode.choices]
    )
    active = forms.NullBooleanField(
        label=pgettext_lazy("setting: in use", "Active"),
        required=False,
        widget=forms.Select(
            choices=[("", "—"), ("true", pgettext_lazy("setting: in use", "Active")), ("false", _("Inactive"))]
        ),
    )


class CourseForm(forms.ModelForm):
    """The course's own fields (TRN-2); pass mark, attempts and time limit left empty take the
    training policy's defaults."""

    class Meta:
        model = Course
        fields = COURSE_FIELDS  # what the service accepts (mass assignment: nothing else)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("pass_mark", "max_attempts", "time_limit_minutes", "question_count"):
            self.fields[name].required = False
        self.fields["pass_mark"].help_text = _("Empty: the training policy's default (TRN-2). Exactly the mark passes.")

    def validate_unique(self):
        """The service says when the code is taken (one message, on the code)."""
