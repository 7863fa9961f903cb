"""Performance selectors: cycles."""

__all__: list[str] = []
