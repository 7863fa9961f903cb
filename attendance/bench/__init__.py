"""``manage.py bench`` suites of the attendance app (developer tooling, never imported at run
time): ``attendance`` (:mod:`attendance.bench.daily`) and ``leave`` (:mod:`attendance.bench.leave`).
The command imports every module of this package; each registers its suite with
:func:`callcenter.bench.register_bench_suite`."""

__all__: list[str] = []
