"""Benchmark suites of the data-security app (registered on import; see :mod:`callcenter.bench`)."""

from datasecurity.bench import audit, destruct

__all__ = ["audit", "destruct"]
