"""HR's pages of the versioned policies: every blank of the regulation, with its article."""

from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from callcenter import selectors, services
from callcenter.forms import policy_version_form_class
from callcenter.pages import form_status, form_submit
from callcenter.permissions import role_required
from callcenter.roles import Role


@role_required(Role.HR)
def policy_list(request):
    return render(request, "callcenter/policies/list.html", {"policies": selectors.policy_overview()})


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def policy_detail(request, label: str):
    model = selectors.policy_model_get(label)
    current = selectors.policy_in_force(model)
    initial = {f.name: getattr(current, f.name) for f in model.parameter_fields()}
    form = policy_version_form_class(model)(request.POST or None, initial=initial)

    def create(data):
        return services.policy_version_create(
            actor=request.user,
            model=model,
            effective_from=data["effective_from"],
            values={f.name: data[f.name] for f in model.parameter_fields()},
            note=data.get("note", ""),
        )

    if form_submit(request, form, create, success=_("The new policy version has been saved.")):
        return redirect("callcenter:policy_detail", label=label)
    fields_with_articles = [(form[f.name], model.articles.get(f.name, "")) for f in model.parameter_fields()]
    return render(
        request,
        "callcenter/policies/detail.html",
        {
            "model_name": model._meta.verbose_name,
            "label": label,
            "doc": model.description,
            "current": current,
            "versions": selectors.policy_versions(model)[:50],
            "form": form,
            "fields_with_articles": fields_with_articles,
        },
        status=form_status(form),
    )


urlpatterns = [
    path("policies/", policy_list, name="policy_list"),
    path("policies/<str:label>/", policy_detail, name="policy_detail"),
]
