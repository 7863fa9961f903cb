"""The directory (issue 13): pinyin initials of every name (filled for the existing rows), the
prefix indexes of the directory's search, and a department's parent department."""

import django.db.models.deletion
from django.db import migrations, models

from callcenter.models.org import pinyin_initials


def fill_initials(apps, schema_editor):
    Employee = apps.get_model("callcenter", "Employee")
    batch = []
    for employee in Employee.objects.only("pk", "name").iterator(chunk_size=2000):
        employee.name_initials = pinyin_initials(employee.name)
        batch.append(employee)
        if len(batch) >= 2000:
            Employee.objects.bulk_update(batch, ["name_initials"])
            batch = []
    Employee.objects.bulk_update(batch, ["name_initials"])


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0007_employment_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="department",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                help_text="The department this one reports to; never itself or one of its own sub-departments.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="children",
                to="callcenter.department",
                verbose_name="parent department",
            ),
        ),
        migrations.AddField(
            model_name="employee",
            name="name_initials",
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name="name initials"),
        ),
        migrations.RunPython(fill_initials, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="employee",
            index=models.Index(
                fields=["name_initials"], name="employee_initials_like_idx", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="employee",
            index=models.Index(fields=["employee_no"], name="employee_no_like_idx", opclasses=["varchar_pattern_ops"]),
        ),
    ]
