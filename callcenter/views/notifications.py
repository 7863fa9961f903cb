"""The user's notifications."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callcenter import selectors, services
from callcenter.pages import paginate, redirect_back
from callcenter.permissions import login_only


@login_only
def notification_list(request):
    unread_only = request.GET.get("filter") == "unread"
    notifications = selectors.notification_list(user=request.user, filters={"unread": unread_only})
    page = paginate(request, notifications, 20)
    return render(request, "callcenter/notifications/list.html", {"page_obj": page, "unread_only": unread_only})


@login_only
@require_POST
def notification_read(request, pk: int):
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification_ids=[notification.pk])
    return redirect_back(request, "callcenter:notification_list")


@login_only
@require_POST
def notification_read_all(request):
    marked = services.notification_mark_read(actor=request.user)
    if marked:
        messages.success(request, _("All notifications are marked as read."))
    return redirect_back(request, "callcenter:notification_list")


urlpatterns = [
    path("notifications/", notification_list, name="notification_list"),
    path("notifications/read/", notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", notification_read, name="notification_read"),
]
