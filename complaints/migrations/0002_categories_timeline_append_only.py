"""CMP-4 categories a new installation starts with; the timeline is append-only (CMP-2: every
contact and progress update stays as it was recorded)."""

from django.db import migrations

from datasecurity.append_only import append_only

CATEGORIES = [
    ("attitude", "服务态度", "Service attitude", 10),
    ("accuracy", "业务差错", "Wrong information or handling", 20),
    ("waiting", "等待时间过长", "Waiting too long", 30),
    ("billing", "费用争议", "Billing dispute", 40),
    ("system", "系统故障", "System failure", 50),
    ("other", "其他", "Other", 90),
]


def install_categories(apps, schema_editor):
    ComplaintCategory = apps.get_model("complaints", "ComplaintCategory")
    for code, name, name_en, order in CATEGORIES:
        ComplaintCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial"), ("datasecurity", "0002_audit_append_only")]

    operations = [
        migrations.RunPython(install_categories, migrations.RunPython.noop),
        migrations.RunPython(*append_only("complaints_complaintevent", "complaints_complaintevent")),
    ]
