"""Append-only tables on PostgreSQL: a trigger refuses UPDATE, DELETE and TRUNCATE; and the audit
table's database roles, which make the trigger more than a speed bump.

Used in migrations for every record the regulation says may not be altered (audit events,
punches, later locked appraisals and issued penalties)::

    migrations.RunPython(*append_only("attendance_punch", "attendance_punch"))

``delete_role`` names the one role whose DELETEs the trigger lets through: for the audit table,
:data:`AUDIT_OWNER_ROLE`, the owner of the retention function (the function runs as its owner, so
the retention path is the only way). No session setting opens the trigger. TRUNCATE is allowed
only to a superuser connection started with ``callcenter.allow_truncate=on`` (the test
database's flush). SQLite (try-it-out mode) has no trigger; the services keep the same rule there.

A trigger alone does not stop the table's owner (who may disable it), so in production the audit
table belongs to :data:`AUDIT_OWNER_ROLE` and the application's role may only read and append:
:func:`audit_db_roles_sql` is the operator's set-up (``manage.py audit_db_roles``,
docs/operations.md). Roles are cluster-wide and the application cannot create them, so the
migrations never depend on it: they run on a database without the set-up, which an operator
applies afterwards (and again after a migration that alters the audit table).
"""

import re

__all__ = [
    "AUDIT_ARCHIVE_TABLE",
    "AUDIT_OWNER_ROLE",
    "AUDIT_PURGE_FUNCTION",
    "AUDIT_TABLE",
    "append_only",
    "audit_db_roles_sql",
    "audit_purge_function_sql",
    "audit_purge_function_upgrade",
]

AUDIT_TABLE = "datasecurity_auditevent"
AUDIT_TRIGGER_FUNCTION = "datasecurity_audit_append_only"
AUDIT_PURGE_FUNCTION = "datasecurity_audit_purge"
# The archives the retention function deletes by (datasecurity/models/retention.py).
AUDIT_ARCHIVE_TABLE = "datasecurity_auditarchive"
# Owns the audit table and the retention function; never a login, never granted to the app.
AUDIT_OWNER_ROLE = "callcenter_audit_owner"
# SEC-2: audit records are kept at least six months, whatever the policy table says.
AUDIT_RETENTION_FLOOR_DAYS = 180

_TEMPLATE = """
CREATE OR REPLACE FUNCTION {name}_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND {delete_check} THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'TRUNCATE' AND current_setting('callcenter.allow_truncate', true) = 'on'
            AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = current_user AND rolsuper) THEN
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

_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$.-]{0,62}$")


def append_only(table: str, name: str, delete_role: str | None = None):
    """(forwards, backwards) functions for ``migrations.RunPython``."""
    delete_check = f"current_user = '{_checked_role(delete_role)}'" if delete_role else "false"
    create = _TEMPLATE.format(table=table, name=name, delete_check=delete_check)
    drop = _DROP.format(table=table, name=name)

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create, params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop, params=None)

    return forwards, backwards


def _checked_role(role: str) -> str:
    if not _ROLE_NAME.match(role or ""):
        raise ValueError(f"not a role name: {role!r}")
    return role


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_ROLES_HEADER = """\
-- The audit trail's database roles (SEC-2, SEC-3), for the application role {app}:
-- it may read and append audit events, never change or remove them. Retention runs through the
-- function {purge}(bigint), which belongs to {owner}, deletes only the events of
-- a verified archive, all older than the retention (never fewer than {floor} days), and
-- re-anchors the chain head.
-- Run as a PostgreSQL superuser in the application's database, after `manage.py migrate`;
-- idempotent (run it again after a migration that alters the audit table). docs/operations.md.
"""

_ROLES_SQL = """\
DO $roles$
BEGIN
    BEGIN
        CREATE ROLE {owner} NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;  -- roles are cluster-wide: another database of the cluster made it already
    END;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = {app_literal}) THEN
        RAISE EXCEPTION 'role % does not exist: name the role the application connects as', {app_literal};
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = {app_literal} AND rolsuper) THEN
        RAISE EXCEPTION 'role % is a superuser, which no grant can restrain: let the application '
            'connect as a role without SUPERUSER (docs/operations.md)', {app_literal};
    END IF;
    IF pg_catalog.pg_has_role({app_literal}, '{owner}', 'MEMBER') THEN
        RAISE EXCEPTION 'role % is a member of {owner}: revoke that membership', {app_literal};
    END IF;
END
$roles$;

-- The owner of the audit table (and of its trigger function) is not the application: only an
-- owner may disable the trigger, alter or truncate the table.
ALTER TABLE {table} OWNER TO {owner};
ALTER FUNCTION {trigger_function}() OWNER TO {owner};
REVOKE ALL ON {table} FROM PUBLIC;
REVOKE ALL ON {table} FROM {app};
GRANT SELECT, INSERT ON {table} TO {app};
DO $seq$
DECLARE
    seq text := pg_catalog.pg_get_serial_sequence('{table_path}', 'id');
BEGIN
    IF seq IS NOT NULL THEN
        EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM PUBLIC', seq);
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', seq, {app_literal});
    END IF;
END
$seq$;

-- What the retention function reads and writes besides the events it owns.
GRANT USAGE ON SCHEMA {schema} TO {owner};
GRANT SELECT, UPDATE ON {head} TO {owner};
GRANT SELECT ON {policy} TO {owner};
GRANT SELECT ON {archive} TO {owner};

{purge_sql}GRANT EXECUTE ON FUNCTION {purge}(bigint) TO {app};
"""

# SEC-2: the retention deletes only what a verified archive holds (services/retention.py writes
# it to both backup locations and reads each copy back first). The function takes the archive's
# upper id bound and deletes exactly that archive's events, which must all be past the retention:
# the application can neither delete more, nor younger events, nor events no archive holds.
_PURGE_SQL = """\
DROP FUNCTION IF EXISTS {purge}();
CREATE OR REPLACE FUNCTION {purge}(p_upto bigint)
    RETURNS TABLE (purged bigint, purged_before timestamptz, kept_days integer)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $purge$
DECLARE
    v_days integer;
    v_cutoff timestamptz;
    v_last bigint;
    v_boundary bigint;
    v_first bigint;
    v_archive_first bigint;
    v_archive_count bigint;
    v_deleted bigint := 0;
BEGIN
    -- The policy in force (AuditPolicy), never below the floor whatever the table says.
    SELECT p.audit_retention_days INTO v_days FROM {policy} p
        WHERE p.effective_from <= current_date ORDER BY p.effective_from DESC LIMIT 1;
    v_days := GREATEST(COALESCE(v_days, {floor}), {floor});
    v_cutoff := now() - make_interval(days => v_days);
    -- The head is locked only by the UPDATE at the end: appends (which lock it) wait for that
    -- statement, not for the whole delete; the newest event only ever moves forward.
    SELECT h.last_event_id INTO v_last FROM {head} h WHERE h.id = 1;
    IF NOT FOUND OR p_upto IS NULL THEN
        RETURN QUERY SELECT v_deleted, v_cutoff, v_days;
        RETURN;
    END IF;
    -- Only a prefix of the chain goes (the oldest events), and never the newest event, so the
    -- chain stays one line from its new anchor and a checkpoint's event stays verifiable.
    SELECT min(e.id) INTO v_boundary FROM {table} e WHERE e.occurred_at >= v_cutoff;
    v_boundary := LEAST(COALESCE(v_boundary, v_last), v_last);
    IF p_upto >= v_boundary THEN
        RAISE EXCEPTION 'audit events up to % are not all older than the retention of % days (SEC-2)',
            p_upto, v_days USING ERRCODE = 'check_violation';
    END IF;
    SELECT a.first_event_id, a.event_count INTO v_archive_first, v_archive_count FROM {archive} a
        WHERE a.last_event_id = p_upto AND a.status IN ('verified', 'deleted');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no verified archive ends at audit event %: nothing is deleted unarchived (SEC-2)',
            p_upto USING ERRCODE = 'check_violation';
    END IF;
    SELECT min(e.id) INTO v_first FROM {table} e WHERE e.id <= p_upto;
    IF v_first IS NULL THEN
        -- Deleted already (a run that stopped after the delete): nothing to do.
        RETURN QUERY SELECT v_deleted, v_cutoff, v_days;
        RETURN;
    END IF;
    IF v_first < v_archive_first THEN
        RAISE EXCEPTION 'audit event % is older than the archive ending at % (SEC-2)',
            v_first, p_upto USING ERRCODE = 'check_violation';
    END IF;
    DELETE FROM {table} e WHERE e.id <= p_upto;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    IF v_deleted <> v_archive_count THEN
        RAISE EXCEPTION 'the archive ending at audit event % holds % events, % found (SEC-2)',
            p_upto, v_archive_count, v_deleted USING ERRCODE = 'check_violation';
    END IF;
    UPDATE {head} h SET
        anchor_hash = (SELECT e.prev_hash FROM {table} e ORDER BY e.id LIMIT 1),
        event_count = h.event_count - v_deleted
    WHERE h.id = 1;
    RETURN QUERY SELECT v_deleted, v_cutoff, v_days;
END
$purge$;
ALTER FUNCTION {purge}(bigint) OWNER TO {owner};
REVOKE ALL ON FUNCTION {purge}(bigint) FROM PUBLIC;
"""


def _schema_names(schema: str) -> dict:
    schema = _checked_role(schema)
    return dict(
        owner=AUDIT_OWNER_ROLE,
        schema=_ident(schema),
        table=f"{_ident(schema)}.{_ident(AUDIT_TABLE)}",
        table_path=f"{_ident(schema)}.{_ident(AUDIT_TABLE)}".replace("'", "''"),
        trigger_function=f"{_ident(schema)}.{_ident(AUDIT_TRIGGER_FUNCTION)}",
        head=f"{_ident(schema)}.{_ident('datasecurity_auditchainhead')}",
        policy=f"{_ident(schema)}.{_ident('datasecurity_auditpolicy')}",
        archive=f"{_ident(schema)}.{_ident(AUDIT_ARCHIVE_TABLE)}",
        purge=f"{_ident(schema)}.{_ident(AUDIT_PURGE_FUNCTION)}",
        floor=AUDIT_RETENTION_FLOOR_DAYS,
    )


def audit_purge_function_sql(*, schema: str = "public") -> str:
    """The retention function alone (owned by :data:`AUDIT_OWNER_ROLE`, no grant): part of
    :func:`audit_db_roles_sql`, and what migration 0005 installs in place of the former one."""
    names = _schema_names(schema)
    return f"GRANT SELECT ON {names['archive']} TO {AUDIT_OWNER_ROLE};\n" + _PURGE_SQL.format(**names)


def audit_db_roles_sql(*, app_role: str, schema: str = "public", transaction: bool = True) -> str:
    """The operator's set-up of the audit table's roles, for the application role ``app_role``
    in ``schema`` (PostgreSQL; run as a superuser; idempotent). ``transaction`` wraps it in
    BEGIN/COMMIT (for psql); leave it out to run it inside a transaction of one's own."""
    app_role = _checked_role(app_role)
    names = dict(app=_ident(app_role), app_literal=_literal(app_role), **_schema_names(schema))
    sql = _ROLES_SQL.format(purge_sql=_PURGE_SQL.format(**names), **names)
    if not transaction:
        return sql
    return _ROLES_HEADER.format(**names) + "BEGIN;\n\n" + sql + "\nCOMMIT;\n"


def audit_purge_function_upgrade(schema_editor) -> None:
    """Migration 0005 (RunPython): replace the former ``datasecurity_audit_purge()`` (no argument:
    it deleted every event past the retention, archived or not) by the archive-bound one, keeping
    who may execute it. Only where the operator's set-up exists and the migrating connection may
    act for the owner role (a superuser); otherwise the former function is dropped when possible
    and the retention says to run ``manage.py audit_db_roles --apply`` (docs/operations.md)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
        cursor.execute("SELECT to_regprocedure(%s)", [f"{_ident(schema)}.{_ident(AUDIT_PURGE_FUNCTION)}()"])
        (old,) = cursor.fetchone()
        if old is None:
            return  # a new database: the operator's set-up installs the function
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = current_user AND rolsuper)"
            " OR pg_catalog.pg_has_role(current_user, %s, 'MEMBER')",
            [AUDIT_OWNER_ROLE],
        )
        (may,) = cursor.fetchone()
        if not may:
            return  # the former function stays until the operator re-applies the set-up
        cursor.execute(
            "SELECT r.rolname FROM pg_catalog.pg_proc p, aclexplode(p.proacl) a"
            " JOIN pg_catalog.pg_roles r ON r.oid = a.grantee"
            " WHERE p.oid = %s::regprocedure AND a.privilege_type = 'EXECUTE' AND r.rolname <> %s",
            [old, AUDIT_OWNER_ROLE],
        )
        grantees = [row[0] for row in cursor.fetchall()]
        cursor.execute(audit_purge_function_sql(schema=schema))
        purge = f"{_ident(schema)}.{_ident(AUDIT_PURGE_FUNCTION)}"
        for grantee in grantees:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION {purge}(bigint) TO {_ident(_checked_role(grantee))}")
