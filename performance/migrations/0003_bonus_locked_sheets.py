"""Approved bonus sheets are read-only in the database too (PRF-4; ARCHITECTURE: "locked bonus
sheets" are append-only), not only in the services:

- a line of a sheet that is not a draft cannot be inserted, changed or deleted;
- an approved sheet cannot be deleted, and its only allowed change is approved → superseded with
  nothing else touched (a correction, which makes a new version); a superseded sheet never changes.

PostgreSQL only (SQLite try-it-out mode relies on the services). Row triggers do not fire on
TRUNCATE, so the test database's flush still works.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION performance_bonus_line_locked() RETURNS trigger AS $$
DECLARE
    sheet_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO sheet_status FROM performance_bonussheet WHERE id = OLD.sheet_id;
        IF sheet_status IS DISTINCT FROM 'draft' AND sheet_status IS NOT NULL THEN
            RAISE EXCEPTION 'bonus sheet % is %: its lines are read-only (PRF-4)', OLD.sheet_id, sheet_status
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO sheet_status FROM performance_bonussheet WHERE id = NEW.sheet_id;
        IF sheet_status IS DISTINCT FROM 'draft' THEN
            RAISE EXCEPTION 'bonus sheet % is %: its lines are read-only (PRF-4)', NEW.sheet_id, sheet_status
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS performance_bonus_line_locked ON performance_bonusline;
CREATE TRIGGER performance_bonus_line_locked
    BEFORE INSERT OR UPDATE OR DELETE ON performance_bonusline
    FOR EACH ROW EXECUTE FUNCTION performance_bonus_line_locked();

CREATE OR REPLACE FUNCTION performance_bonus_sheet_locked() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'draft' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = 'approved' AND NEW.status = 'superseded'
       AND (to_jsonb(NEW) - 'status') = (to_jsonb(OLD) - 'status') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'bonus sheet % is %: % refused (PRF-4)', OLD.id, OLD.status, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS performance_bonus_sheet_locked ON performance_bonussheet;
CREATE TRIGGER performance_bonus_sheet_locked
    BEFORE UPDATE OR DELETE ON performance_bonussheet
    FOR EACH ROW EXECUTE FUNCTION performance_bonus_sheet_locked();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS performance_bonus_line_locked ON performance_bonusline;
DROP FUNCTION IF EXISTS performance_bonus_line_locked();
DROP TRIGGER IF EXISTS performance_bonus_sheet_locked ON performance_bonussheet;
DROP FUNCTION IF EXISTS performance_bonus_sheet_locked();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("performance", "0002_setup_default_indicators")]

    operations = [migrations.RunPython(forwards, backwards)]
