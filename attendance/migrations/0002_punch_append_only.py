"""Punches may not be altered or forged (ATT-2): the database refuses UPDATE and DELETE."""

from django.db import migrations

from datasecurity.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("attendance", "0001_initial"), ("datasecurity", "0002_audit_append_only")]

    operations = [migrations.RunPython(*append_only("attendance_punch", "attendance_punch"))]
