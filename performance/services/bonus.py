"""Performance services: bonus."""

__all__: list[str] = []
