"""Training pages, one module per area; each ends with its ``urlpatterns``."""

__all__: list[str] = []
