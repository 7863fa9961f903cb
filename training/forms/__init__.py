"""Forms of the training pages, one module per area; no writes."""

__all__: list[str] = []
