"""Demo data of the data-security app for ``seed_demo`` (developer tooling, never imported at run
time): each module registers its seeders with :func:`callcenter.demo.register_demo_seeder`."""

__all__: list[str] = []
