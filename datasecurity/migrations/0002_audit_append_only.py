"""The database refuses UPDATE, DELETE and TRUNCATE on the audit table (PostgreSQL).

Only the retention path may delete: it runs ``SET LOCAL callcenter.audit_retention = 'on'``
inside its own transaction. See datasecurity/append_only.py.
"""

from django.db import migrations

from datasecurity.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("datasecurity", "0001_initial")]

    operations = [
        migrations.RunPython(
            *append_only("datasecurity_auditevent", "datasecurity_audit", delete_setting="callcenter.audit_retention")
        )
    ]
