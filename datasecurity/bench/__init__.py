"""Benchmark suites of the data-security app (registered on import; see :mod:`callcenter.bench`)."""

from datasecurity.bench import audit, backup, destruct, retention

__all__ = ["audit", "backup", "destruct", "retention"]
