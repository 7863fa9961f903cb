"""Issue 16: the ``trainer`` role (in-house trainers, TRN-2) is a group like the others."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="trainer")


class Migration(migrations.Migration):
    dependencies = [("callcenter", "0010_exit_checklist")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
