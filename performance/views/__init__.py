"""Performance pages, one module per area (each declares its ``urlpatterns``)."""

__all__: list[str] = []
