"""Performance selectors: setup."""

__all__: list[str] = []
