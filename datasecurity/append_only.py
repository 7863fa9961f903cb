"""Append-only tables on PostgreSQL: a trigger refuses UPDATE, DELETE and TRUNCATE.

Used in migrations for every record the regulation says may not be altered (audit events,
punches, later locked appraisals and issued penalties)::

    migrations.RunPython(*append_only("attendance_punch", "attendance_punch"))

``delete_setting`` names a transaction-local setting under which DELETE is allowed (the audit
retention path: ``SET LOCAL callcenter.audit_retention = 'on'``). TRUNCATE is allowed only to a
connection started with ``callcenter.allow_truncate=on`` (the test database's flush). SQLite
(try-it-out mode) has no trigger; the services keep the same rule there.
"""

_TEMPLATE = """
CREATE OR REPLACE FUNCTION {name}_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND {delete_check} THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'TRUNCATE' AND current_setting('callcenter.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS {name}_no_update_delete ON {table};
CREATE TRIGGER {name}_no_update_delete
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}_append_only();

DROP TRIGGER IF EXISTS {name}_no_truncate ON {table};
CREATE TRIGGER {name}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_append_only();
"""

_DROP = """
DROP TRIGGER IF EXISTS {name}_no_update_delete ON {table};
DROP TRIGGER IF EXISTS {name}_no_truncate ON {table};
DROP FUNCTION IF EXISTS {name}_append_only();
"""


def append_only(table: str, name: str, delete_setting: str | None = None):
    """(forwards, backwards) functions for ``migrations.RunPython``."""
    delete_check = f"current_setting('{delete_setting}', true) = 'on'" if delete_setting else "false"
    create = _TEMPLATE.format(table=table, name=name, delete_check=delete_check)
    drop = _DROP.format(table=table, name=name)

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create, params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop, params=None)

    return forwards, backwards
