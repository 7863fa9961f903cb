"""Performance REST API, one module per area (each declares its ``urlpatterns``)."""

__all__: list[str] = []
