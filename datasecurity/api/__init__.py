"""The data-security REST API, one module per area; each ends with its ``urlpatterns``."""

__all__: list[str] = []
