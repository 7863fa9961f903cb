"""The core app's REST API, one module per area; each ends with its ``urlpatterns``, which
``api/urls.py`` gathers."""

__all__: list[str] = []
