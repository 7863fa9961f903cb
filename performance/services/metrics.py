"""Performance services: metrics."""

__all__: list[str] = []
