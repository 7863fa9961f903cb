"""Locked appraisals are read-only in PostgreSQL too (PRF-2; ARCHITECTURE: "locked appraisals"
are append-only), not only in the services:

- a locked appraisal cannot be changed or deleted (locking itself is the change *to* locked);
- an item of a locked appraisal cannot be inserted, changed or deleted;
- a locked cycle cannot be changed or deleted.

PostgreSQL only (SQLite try-it-out mode relies on the services). Row triggers do not fire on
TRUNCATE, so the test database's flush still works.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION performance_appraisal_locked() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'locked' THEN
        RAISE EXCEPTION 'appraisal % is locked: % refused (PRF-2)', OLD.id, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS performance_appraisal_locked ON performance_appraisal;
CREATE TRIGGER performance_appraisal_locked
    BEFORE UPDATE OR DELETE ON performance_appraisal
    FOR EACH ROW EXECUTE FUNCTION performance_appraisal_locked();

CREATE OR REPLACE FUNCTION performance_appraisal_item_locked() RETURNS trigger AS $$
DECLARE
    appraisal_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO appraisal_status FROM performance_appraisal WHERE id = OLD.appraisal_id;
        IF appraisal_status = 'locked' THEN
            RAISE EXCEPTION 'appraisal % is locked: its items are read-only (PRF-2)', OLD.appraisal_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO appraisal_status FROM performance_appraisal WHERE id = NEW.appraisal_id;
        IF appraisal_status = 'locked' THEN
            RAISE EXCEPTION 'appraisal % is locked: its items are read-only (PRF-2)', NEW.appraisal_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS performance_appraisal_item_locked ON performance_appraisalitem;
CREATE TRIGGER performance_appraisal_item_locked
    BEFORE INSERT OR UPDATE OR DELETE ON performance_appraisalitem
    FOR EACH ROW EXECUTE FUNCTION performance_appraisal_item_locked();

CREATE OR REPLACE FUNCTION performance_appraisal_cycle_locked() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'locked' THEN
        RAISE EXCEPTION 'appraisal cycle % is locked: % refused (PRF-2)', OLD.id, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS performance_appraisal_cycle_locked ON performance_appraisalcycle;
CREATE TRIGGER performance_appraisal_cycle_locked
    BEFORE UPDATE OR DELETE ON performance_appraisalcycle
    FOR EACH ROW EXECUTE FUNCTION performance_appraisal_cycle_locked();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS performance_appraisal_locked ON performance_appraisal;
DROP FUNCTION IF EXISTS performance_appraisal_locked();
DROP TRIGGER IF EXISTS performance_appraisal_item_locked ON performance_appraisalitem;
DROP FUNCTION IF EXISTS performance_appraisal_item_locked();
DROP TRIGGER IF EXISTS performance_appraisal_cycle_locked ON performance_appraisalcycle;
DROP FUNCTION IF EXISTS performance_appraisal_cycle_locked();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("performance", "0003_bonus_locked_sheets")]

    operations = [migrations.RunPython(forwards, backwards)]
