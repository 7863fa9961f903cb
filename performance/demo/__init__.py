"""Demo data of the performance app for ``seed_demo`` (PRF-1..PRF-3), one module per area, each
seeder registered with :func:`callcenter.demo.register_demo_seeder` and run in this order, after
attendance and complaints (the automatic indicators read them):

1. :mod:`.setup` — the PRF-1 default indicators and an active template for each post of the seeded
   employees that has none (the company leader's post, VP, gets none: a gap for HR to see);
2. :mod:`.metrics` — last month's call-center metrics for every agent, one row per working day;
3. :mod:`.cycles` — last month's cycle opened the way the month-end job opens it (idempotent: an
   ``--append`` run adds the newcomers);
4. :mod:`.appraisals` — through the evaluation services, for a bounded sample (the demo
   supervisor's team first): self-evaluations submitted, some evaluated, a few interviews held.

Bulk rows (metrics) have no audit event; the cycle, the evaluations and the interviews are audited
by their services. ``seed_demo`` imports every module of this package; runtime code never does.
"""

__all__: list[str] = []
