"""Database constraints that hold alike on PostgreSQL and on the SQLite try-out.

Money arithmetic (:func:`cents`): SQLite has no decimal type; it stores a ``DecimalField`` as a
float and computes a CHECK in floating point, where 850 − 40 − 289.66 is 520.3399999999999, not
520.34. A check that adds up money therefore compares whole numbers of cents (fen): each amount
times 100, rounded to a whole number, as an integer. On PostgreSQL ``numeric(…, 2) * 100`` is a
whole number already, so the rounding changes nothing there and the check stays exact; on SQLite
the rounding removes the float's error (it is far below half a cent for any amount the columns
hold: 12 digits are exact in a double), and integer sums are exact.

Exclusion constraints (:class:`PostgresExclusionConstraint`): only PostgreSQL can hold them.
Production and the test suite run on PostgreSQL (``conftest.py`` refuses anything else), where
the constraint is created as declared. ``make run`` uses SQLite, which has no ``EXCLUDE USING
gist``: there the constraint is left out (the services check the same rule first, so the
try-out behaves the same; only the race-proof guarantee needs PostgreSQL).
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import connections
from django.db.models import BigIntegerField, F
from django.db.models.functions import Cast, Round

__all__ = ["PostgresExclusionConstraint", "cents"]


def cents(field: str) -> Cast:
    """The amount in the money column ``field`` (two decimal places) as a whole number of cents,
    computed the same on PostgreSQL and SQLite: use it in CHECK constraints that add amounts up
    (see the module's docstring)."""
    return Cast(Round(F(field) * 100), output_field=BigIntegerField())


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
