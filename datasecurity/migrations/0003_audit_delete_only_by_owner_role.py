"""Only the audit table's owner role may delete audit events; no session setting opens the trigger.

Until now a transaction that ran ``SET LOCAL callcenter.audit_retention = 'on'`` could delete
(any session of the application's role could). Now the trigger lets DELETE through only for
``callcenter_audit_owner``, which owns the retention function ``datasecurity_audit_purge()``
(SECURITY DEFINER). That role and function come from the operator's set-up
(``manage.py audit_db_roles``, docs/operations.md): this migration names the role only as text, so
it runs on a database without the set-up, where nobody may delete audit events. TRUNCATE is now
also limited to superusers (the test database's flush).
"""

from django.db import migrations

from datasecurity.append_only import AUDIT_OWNER_ROLE, append_only

_TABLE, _NAME = "datasecurity_auditevent", "datasecurity_audit"


class Migration(migrations.Migration):
    dependencies = [("datasecurity", "0002_audit_append_only")]

    operations = [
        migrations.RunPython(
            append_only(_TABLE, _NAME, delete_role=AUDIT_OWNER_ROLE)[0],
            append_only(_TABLE, _NAME)[0],
        )
    ]
