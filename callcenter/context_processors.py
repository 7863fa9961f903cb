"""The menu (assembled from what each app registers, :mod:`callcenter.navigation`) and the
notification bell for the base template."""

import functools

from callcenter.navigation import navigation_for, navigation_menu, navigation_path_key
from callcenter.roles import Role, user_roles
from callcenter.selectors import notification_unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": [], "user_role_labels": [], "notification_unread_count": 0}
    roles = user_roles(user)
    role_labels = [label for value, label in Role.choices if value in roles]
    # Lazy and cached: one COUNT when a template shows the bell, none for fragments that do not.
    unread = functools.cache(lambda: notification_unread_count(user=user))
    items = navigation_for(user)
    return {
        "nav_items": items,
        # The module menus of the bar, and the entry of this page by its URL (a view's nav_active wins).
        "nav_menu": navigation_menu(items),
        "nav_path_key": navigation_path_key(items, request.path),
        "user_role_labels": role_labels,
        "notification_unread_count": unread,
    }
