"""HR's pages of the versioned policies: every blank of the regulation, with its article."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from callcenter import selectors, services
from callcenter.errors import ApplicationError
from callcenter.forms import policy_version_form_class
from callcenter.permissions import role_required
from callcenter.roles import Role


@role_required(Role.HR)
def policy_list(request):
    return render(request, "callcenter/policies/list.html", {"policies": selectors.policy_overview()})


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def policy_detail(request, label: str):
    try:
        model = selectors.policy_model_get(label)
    except ApplicationError as exc:
        raise Http404(str(exc.message)) from exc
    form_class = policy_version_form_class(model)
    current = selectors.policy_in_force(model)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            values = {f.name: data[f.name] for f in model.parameter_fields()}
            try:
                services.policy_version_create(
                    actor=request.user,
                    model=model,
                    effective_from=data["effective_from"],
                    values=values,
                    note=data.get("note", ""),
                )
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("The new policy version has been saved."))
                return redirect("callcenter:policy_detail", label=label)
    else:
        initial = {f.name: getattr(current, f.name) for f in model.parameter_fields()}
        form = form_class(initial=initial)
    fields_with_articles = [(form[f.name], model.articles.get(f.name, "")) for f in model.parameter_fields()]
    return render(
        request,
        "callcenter/policies/detail.html",
        {
            "model_name": model._meta.verbose_name,
            "label": label,
            "doc": (model.__doc__ or "").strip(),
            "current": current,
            "versions": selectors.policy_versions(model)[:50],
            "form": form,
            "fields_with_articles": fields_with_articles,
        },
    )


urlpatterns = [
    path("policies/", policy_list, name="policy_list"),
    path("policies/<str:label>/", policy_detail, name="policy_detail"),
]
