"""The attendance app's pages, one module per area (punches, roster, corrections, daily, leave);
each ends with its ``urlpatterns``, which ``views/urls.py`` gathers. Nothing but a URLconf imports
a views module."""

__all__: list[str] = []
