"""Performance selectors: bonus."""

__all__: list[str] = []
