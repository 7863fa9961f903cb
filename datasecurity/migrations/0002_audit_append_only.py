"""The database refuses UPDATE, DELETE and TRUNCATE on the audit table (PostgreSQL).

0003 lets the retention function's owner delete; see datasecurity/append_only.py.
"""

from django.db import migrations

from datasecurity.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("datasecurity", "0001_initial")]

    operations = [migrations.RunPython(*append_only("datasecurity_auditevent", "datasecurity_audit"))]
