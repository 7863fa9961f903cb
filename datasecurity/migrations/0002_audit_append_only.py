"""The database refuses UPDATE, DELETE and TRUNCATE on the audit table (PostgreSQL).

Only the retention path may delete: it runs ``SET LOCAL callcenter.audit_retention = 'on'``
inside its own transaction. TRUNCATE is allowed only to a connection started with
``callcenter.allow_truncate=on`` (the test database's flush between transactional tests).
SQLite (try-it-out mode) has no such trigger; the services keep the same rule.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION datasecurity_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('callcenter.audit_retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'TRUNCATE' AND current_setting('callcenter.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS datasecurity_audit_no_update_delete ON datasecurity_auditevent;
CREATE TRIGGER datasecurity_audit_no_update_delete
    BEFORE UPDATE OR DELETE ON datasecurity_auditevent
    FOR EACH ROW EXECUTE FUNCTION datasecurity_audit_append_only();

DROP TRIGGER IF EXISTS datasecurity_audit_no_truncate ON datasecurity_auditevent;
CREATE TRIGGER datasecurity_audit_no_truncate
    BEFORE TRUNCATE ON datasecurity_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION datasecurity_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS datasecurity_audit_no_update_delete ON datasecurity_auditevent;
DROP TRIGGER IF EXISTS datasecurity_audit_no_truncate ON datasecurity_auditevent;
DROP FUNCTION IF EXISTS datasecurity_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("datasecurity", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
