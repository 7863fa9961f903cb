"""Performance services: cycles."""

__all__: list[str] = []
