"""The dashboard of each role."""

from django.shortcuts import render
from django.urls import path

from callcenter import selectors
from callcenter.permissions import login_only


@login_only
def dashboard(request):
    return render(request, "callcenter/dashboard/dashboard.html", {"dash": selectors.dashboard_get(user=request.user)})


urlpatterns = [
    path("", dashboard, name="dashboard"),
]
