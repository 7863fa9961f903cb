"""Demo data: the registry of per-module seeders (``seed_demo`` calls them in order).

The org itself (departments, teams, positions, 5,000 employees in seconds) is seeded by
:mod:`callcenter.demo.org`. Later modules add their per-month volumes (punches, appraisals,
complaints...) with :func:`register_demo_seeder` in their own ``<app>/demo/<area>.py``;
``seed_demo`` imports every module of every installed app's ``demo`` package (an ``__init__`` lists
nothing) and calls each seeder inside the same transaction. Runtime code never imports a ``demo`` package.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections.abc import Callable
from typing import TextIO

from django.apps import apps

from callcenter.models import Employee

__all__ = [
    "BATCH_SIZE",
    "DEFAULT_SEED",
    "DEMO_SEEDERS",
    "MAX_MONTHS",
    "MIN_EMPLOYEES",
    "DemoSeeder",
    "demo_seeders",
    "import_tooling_modules",
    "register_demo_seeder",
]

BATCH_SIZE = 1000

DEFAULT_SEED = 2026

MIN_EMPLOYEES = 30

MAX_MONTHS = 36

DemoSeeder = Callable[[random.Random, list[Employee], int, TextIO], dict | None]

# Each seeder is called as ``seeder(rng, employees, months, stdout)`` inside the seed's
# transaction: ``rng`` is its own random.Random derived from the seed and the seeder's name (so
# adding a seeder never changes another module's data), ``employees`` the Employee rows created
# by this run (department, team and position already loaded), ``months`` the history depth.
# It returns a dict of counts ({"punches": 123456}) for the summary and the audit event.
DEMO_SEEDERS: list[DemoSeeder] = []


def register_demo_seeder(func: DemoSeeder | None = None, *, order: int = 100):
    """Decorator: add a per-module demo seeder. Lower ``order`` runs first (attendance before
    performance, which reads attendance summaries); ties keep registration order."""

    def decorator(f):
        f.demo_order = order
        if f not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(f)
        return f

    return decorator(func) if func is not None else decorator


def demo_seeders() -> list[DemoSeeder]:
    """Every registered seeder, after importing each installed app's ``demo`` module."""
    import_tooling_modules("demo")
    return sorted(DEMO_SEEDERS, key=lambda f: getattr(f, "demo_order", 100))


def import_tooling_modules(package: str) -> None:
    """Import ``<app>.<package>`` and every module inside it, for each installed app (the suites and
    seeders register themselves on import; an ``__init__`` need not list them)."""
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.{package}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{package}":
                raise
            continue
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            importlib.import_module(f"{module.__name__}.{info.name}")
