"""The global search box (issue 14): one text; the length and characters are checked by
:func:`callcenter.selectors.search_query_clean`, whose messages say what to type."""

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["SearchForm"]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""
