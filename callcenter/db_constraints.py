"""Constraints that only PostgreSQL can hold, declared so the SQLite try-out still migrates.

Production and the test suite run on PostgreSQL (``conftest.py`` refuses anything else), where
the constraint is created as declared. ``make run`` uses SQLite, which has no ``EXCLUDE USING
gist``: there the constraint is left out (the services check the same rule first, so the
try-out behaves the same; only the race-proof guarantee needs PostgreSQL).
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import connections


class PostgresExclusionConstraint(ExclusionConstraint):
    @staticmethod
    def _postgres(schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def validate(self, model, instance, exclude=None, using="default"):
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)
