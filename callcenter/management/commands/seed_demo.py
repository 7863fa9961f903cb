"""``manage.py seed_demo``: a realistic demo call center (see :mod:`callcenter.demo`)."""

from io import StringIO

from django.core.management.base import BaseCommand, CommandError

from callcenter.demo import DEFAULT_SEED
from callcenter.demo.org import seed_demo
from callcenter.errors import ApplicationError
from callcenter.models import Employee


class Command(BaseCommand):
    help = (
        "Create a demo call center: departments, teams, positions, employees with Chinese names, pay and "
        "hire dates, a few leavers, reporting lines, default policies and one demo login per role (password "
        "settings.DEMO_PASSWORD). Everything is bulk-inserted in one transaction and recorded as ONE audit "
        "event (demo.seed) summarising the seed, not one event per row."
    )

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=60, help="Number of employees (default 60).")
        parser.add_argument(
            "--months", type=int, default=3, help="Months of history for the modules' demo seeders (default 3)."
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed (reproducible data).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing (and say so) when employees already exist."
        )
        parser.add_argument(
            "--append", action="store_true", help="Add another slice (new departments) to an existing org."
        )

    def handle(self, *args, **options):
        # -v 0 (`make run`): what was seeded in two lines; the modules' own lines and the
        # per-seeder counts at the default verbosity.
        brief = options["verbosity"] == 0
        existing = Employee.objects.count()
        if existing and options["if_empty"]:
            self.stdout.write(f"{existing} employees already exist; seed_demo --if-empty left the database as it is.")
            return
        try:
            result = seed_demo(
                employees=options["employees"],
                months=options["months"],
                seed=options["seed"],
                append=options["append"],
                stdout=StringIO() if brief else self.stdout,
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        if brief:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo call center seeded in {result.seconds:.1f} s: {result.employees} employees "
                    f"({result.leavers} left), {result.departments} departments, {result.teams} teams."
                )
            )
            history = history_line(result.seeders)
            if history:
                self.stdout.write(history)
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.employees} employees ({result.leavers} left), {result.departments} departments, "
                f"{result.teams} teams, {result.users} users in {result.seconds:.2f} s "
                f"(seed {result.seed}; 1 audit event demo.seed)."
            )
        )
        if result.demo_logins_created:
            self.stdout.write("Demo logins created: " + ", ".join(result.demo_logins_created))
        if result.policies_installed:
            self.stdout.write(f"Default policies installed: {result.policies_installed}")
        if result.seeders:
            for name, counts in result.seeders.items():
                detail = ", ".join(f"{k}={v}" for k, v in counts.items()) or "done"
                self.stdout.write(f"  {name}: {detail}")
        else:
            self.stdout.write(
                f"No per-month demo data registered yet (modules add theirs with register_demo_seeder); "
                f"--months {result.months} had nothing to fill."
            )


def history_line(seeders: dict) -> str:
    """One line of what the modules' seeders made (the counts a person looks for first)."""
    counts: dict = {}
    for values in seeders.values():
        counts.update(values or {})
    parts = []
    if counts.get("punches"):
        parts.append(f"{counts['punches']:,} punches")
    if counts.get("leave_requests"):
        parts.append(f"{counts['leave_requests']} leave requests")
    if counts.get("complaints"):
        parts.append(f"{counts['complaints']} complaints")
    if counts.get("self_deadline"):
        parts.append(f"appraisals open, self-evaluation due {counts['self_deadline']}")
    return ("History: " + ", ".join(parts) + ".") if parts else ""
