"""Input parsing for the metrics pages (PRF-1 work results): the upload (the month view's
filters are :mod:`callcenter.inputs`' parsers). The rows themselves are checked by
:mod:`performance.rules.metrics` in the service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from performance.rules import MAX_FILE_BYTES

__all__ = [
    "MetricUploadForm",
]


class MetricUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "UTF-8 or GB18030 (Excel), at most %(size)s MB; English or Chinese headers."
        ) % {"size": MAX_FILE_BYTES // 1024 // 1024}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; split it by date."),
                params={"size": MAX_FILE_BYTES // 1024 // 1024},
                code="file_too_large",
            )
        return upload
