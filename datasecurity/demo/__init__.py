"""Demo data of the data-security app for ``seed_demo`` (developer tooling, never imported at run
time): ``monitor`` (a small security history, so SEC-3's page is not empty) and ``twofa`` (the
demo's two-factor policy and the demo administrator's authenticator). ``seed_demo`` imports every
module of this package; each registers its seeder with :func:`callcenter.demo.register_demo_seeder`."""

__all__: list[str] = []
