"""Benchmark suites of the training app for ``manage.py bench`` (developer tooling, never imported
at run time): each module registers its suites with
:func:`callcenter.bench.register_bench_suite`, and ``manage.py bench`` imports every module of
this package, so nothing is listed here."""

__all__: list[str] = []
