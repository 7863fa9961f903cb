"""Performance services: setup."""

__all__: list[str] = []
