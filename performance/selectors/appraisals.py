"""Performance selectors: appraisals."""

__all__: list[str] = []
