"""Forms of the self-study pages (TRN-2): material, a question with its options, the answers of
an attempt. No writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from training.models import QuestionKind

__all__ = ["OPTION_ROWS", "CourseMaterialForm", "QuestionForm", "attempt_answers"]

OPTION_ROWS = 6


class CourseMaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, MP4/WebM video, PNG or JPEG; checked by its content, stored privately (SEC-3)."),
    )
    url = forms.URLField(label=_("Or a link"), required=False, max_length=500, assume_scheme="https")


class QuestionForm(forms.Form):
    """A question and up to six options; the correct ones are ticked (TRN-2)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to the learner after the attempt is submitted, never before."),
    )
    active = forms.BooleanField(label=_("Active (drawn in attempts)"), required=False, initial=True)

    def __init__(self, *args, question=None, **kwargs):
        if question is not None and not kwargs.get("initial"):
            initial = {
                "kind": question.kind,
                "text": question.text,
                "explanation": question.explanation,
                "active": question.active,
            }
            for i, option in enumerate(question.options.all(), start=1):
                initial[f"option_{i}"] = option.text
                initial[f"correct_{i}"] = option.correct
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for i in range(1, OPTION_ROWS + 1):
            self.fields[f"option_{i}"] = forms.CharField(
                label=_("Option %(n)s") % {"n": i}, max_length=500, required=False
            )
            self.fields[f"correct_{i}"] = forms.BooleanField(label=_("Correct"), required=False)

    def option_rows(self):
        return [(self[f"option_{i}"], self[f"correct_{i}"]) for i in range(1, OPTION_ROWS + 1)]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"],
            "explanation": data.get("explanation", ""),
            "active": data.get("active", False),
            "options": [
                {"text": data.get(f"option_{i}", ""), "correct": data.get(f"correct_{i}", False)}
                for i in range(1, OPTION_ROWS + 1)
            ],
        }


def attempt_answers(post, draw: list[dict]) -> dict[int, list]:
    """The answers a submitted attempt page carries: ``{question id: [option ids]}`` for the
    drawn questions (fields ``q<id>``); the service checks every id against the draw."""
    return {item["q"]: post.getlist(f"q{item['q']}") for item in draw if f"q{item['q']}" in post}
