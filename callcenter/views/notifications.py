"""The user's notifications."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callcenter import selectors, services
from callcenter.errors import ApplicationError
from callcenter.permissions import login_only


def _redirect_back(request, default: str):
    """To the POSTed ``next`` when it is a path on this site, else to ``default``."""
    next_url = request.POST.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(next_url)
    return redirect(default)


@login_only
def notification_list(request):
    unread_only = request.GET.get("filter") == "unread"
    notifications = selectors.notification_list(user=request.user, filters={"unread": unread_only})
    page = Paginator(notifications, 20).get_page(request.GET.get("page"))
    return render(request, "callcenter/notifications/list.html", {"page_obj": page, "unread_only": unread_only})


@login_only
@require_POST
def notification_read(request, pk: int):
    try:
        notification = selectors.notification_get(user=request.user, pk=pk)
    except ApplicationError as exc:
        raise Http404(str(exc.message)) from exc
    services.notification_mark_read(actor=request.user, notification_ids=[notification.pk])
    return _redirect_back(request, "callcenter:notification_list")


@login_only
@require_POST
def notification_read_all(request):
    marked = services.notification_mark_read(actor=request.user)
    if marked:
        messages.success(request, _("All notifications are marked as read."))
    return _redirect_back(request, "callcenter:notification_list")


urlpatterns = [
    path("notifications/", notification_list, name="notification_list"),
    path("notifications/read/", notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", notification_read, name="notification_read"),
]
