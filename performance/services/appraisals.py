"""Performance services: appraisals."""

__all__: list[str] = []
