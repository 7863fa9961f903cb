"""Demo data of the attendance app for ``seed_demo`` (developer tooling, never imported at run
time): ``daily`` (shift types, rosters, punches and the computed days) and ``leave`` (balances and
requests through the services). ``seed_demo`` imports every module of this package; each
registers its seeder with :func:`callcenter.demo.register_demo_seeder`."""

__all__: list[str] = []
