"""The menu (assembled from what each app registers, :mod:`callcenter.navigation`) and the
notification bell for the base template."""

import functools

from callcenter.navigation import navigation_for
from callcenter.roles import Role, user_roles
from callcenter.selectors import notification_unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role_labels": [], "notification_unread_count": 0}
    roles = user_roles(user)
    role_labels = [label for value, label in Role.choices if value in roles]
    # Lazy and cached: one COUNT when a template shows the bell, none for fragments that do not.
    unread = functools.cache(lambda: notification_unread_count(user=user))
    return {"nav_items": navigation_for(user), "user_role_labels": role_labels, "notification_unread_count": unread}
