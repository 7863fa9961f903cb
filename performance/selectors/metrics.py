"""Performance selectors: metrics."""

__all__: list[str] = []
