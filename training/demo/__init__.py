"""Demo data of the training app for ``seed_demo`` (developer tooling, never imported at run
time): each module registers its seeders with :func:`callcenter.demo.register_demo_seeder`, and
``seed_demo`` imports every module of this package, so nothing is listed here."""

__all__: list[str] = []
