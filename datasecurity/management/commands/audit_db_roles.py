"""``manage.py audit_db_roles``: the audit table's database roles (PostgreSQL; docs/operations.md).

The application's role may read and append audit events, never change or delete them; the
retention runs through a function owned by ``callcenter_audit_owner``. Roles are cluster-wide and
the application's role cannot create them, so an operator applies this once per database (and
again after a migration that alters the audit table)::

    manage.py audit_db_roles --print --app-role callcenter_app > audit_roles.sql   # read, then psql
    DATABASE_URL=postgres://postgres@db/callcenter manage.py audit_db_roles --apply --app-role callcenter_app
    manage.py audit_db_roles --check                                              # exit 1 unless protected
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from callcenter.errors import ApplicationError
from datasecurity.append_only import audit_db_roles_sql
from datasecurity.selectors import audit_db_roles_status
from datasecurity.services import audit_db_roles_apply


class Command(BaseCommand):
    help = "Print, apply or check the audit table's PostgreSQL roles (the application may only read and append)."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--print", action="store_true", help="print the SQL (the default)")
        action.add_argument("--apply", action="store_true", help="run the SQL (the connection must be a superuser's)")
        action.add_argument("--check", action="store_true", help="exit 1 unless the audit table is protected")
        parser.add_argument(
            "--app-role",
            default="",
            help="the role the application connects as (default: the user of DATABASE_URL)",
        )
        parser.add_argument("--schema", default="public", help="the schema of the tables (for --print)")

    def handle(self, *args, **options):
        if (options["apply"] or options["check"]) and connection.vendor != "postgresql":
            self.stdout.write("SQLite has no database roles: nothing to do (the services keep the rule).")
            return
        app_role = options["app_role"] or connection.settings_dict.get("USER") or ""
        if not app_role:
            raise CommandError("Name the application's role with --app-role.")
        if options["apply"]:
            try:
                audit_db_roles_apply(app_role=app_role)
            except (ApplicationError, DatabaseError, ValueError) as exc:
                raise CommandError(f"Not applied: {exc}") from exc
            self.stdout.write(self.style.SUCCESS(f"Applied: role {app_role} may only read and append audit events."))
            options["check"] = True
        if options["check"]:
            problems = audit_db_roles_status(app_role=app_role)["problems"]
            if problems:
                raise CommandError(f"The audit table is NOT protected from role {app_role}: " + "; ".join(problems))
            self.stdout.write(self.style.SUCCESS(f"The audit table is protected from role {app_role}."))
            return
        try:
            self.stdout.write(audit_db_roles_sql(app_role=app_role, schema=options["schema"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
