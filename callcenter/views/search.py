"""The global search page (issue 14): people, complaints and leave requests of the reader's
remit, grouped, each group with a link to its module's filtered list."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from callcenter import selectors
from callcenter.errors import ApplicationError
from callcenter.forms import SearchForm
from callcenter.permissions import login_only


@login_only
@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400  # Django's own refusal (a null character), shown at the box
    elif form.is_bound:
        try:
            results = selectors.global_search(user=request.user, text=form.query())
        except ApplicationError as exc:
            form.add_error("q", str(exc.message))
            status = 400
    return render(
        request,
        "callcenter/search/results.html",
        {"form": form, "results": results, "limit": selectors.SEARCH_GROUP_LIMIT},
        status=status,
    )


urlpatterns = [
    path("search/", search, name="search"),
]
