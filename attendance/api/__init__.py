"""The attendance app's REST API, one module per area (punches, roster, corrections, daily,
leave); each ends with its ``urlpatterns``, which ``api/urls.py`` gathers."""

__all__: list[str] = []
