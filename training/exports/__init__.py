"""File renderers of the training app (the certificate PDF), from selector data."""

__all__: list[str] = []
