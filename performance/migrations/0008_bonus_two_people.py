"""Money leaves only with two people (SEC-2): whoever prepared or changed a bonus sheet version
does not approve it.

- ``BonusSheetChange``: who changed a version and how, written by every changing service.
  Drafts that exist already get their history from the audit trail (prepare, recompute,
  adjustments), so the rule holds for them too.
- ``bonus_sheet_approver_not_preparer``: approved_by <> prepared_by, a check. Sheets approved by
  their own preparer before this rule are read-only (migration 0003) and kept as they were:
  they are marked ``legacy_self_approval`` here (the lock trigger is suspended for that one
  UPDATE) and the check lets them be; nothing sets the mark afterwards (the trigger below).
- ``performance_bonus_sheet_two_people`` (PostgreSQL): when a sheet becomes approved, its
  approver must not be among the people who changed it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

_CHANGE_ACTIONS = {
    "bonus_sheet.prepare": "prepared",
    "bonus_sheet.recompute": "recomputed",
    "bonus_sheet.adjust": "adjusted",
    "bonus_sheet.adjustment_remove": "adjustment_removed",
}

TWO_PEOPLE = """
CREATE OR REPLACE FUNCTION performance_bonus_sheet_two_people() RETURNS trigger AS $$
BEGIN
    IF NEW.legacy_self_approval AND (TG_OP = 'INSERT' OR NOT OLD.legacy_self_approval) THEN
        RAISE EXCEPTION 'bonus sheet %: legacy_self_approval is set by migration 0008 only (SEC-2)', NEW.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status = 'approved' AND (TG_OP = 'INSERT' OR OLD.status = 'draft') AND EXISTS (
        SELECT 1 FROM performance_bonussheetchange
        WHERE sheet_id = NEW.id AND changed_by_id = NEW.approved_by_id
    ) THEN
        RAISE EXCEPTION 'bonus sheet %: approved by a person who prepared or changed it (SEC-2)', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS performance_bonus_sheet_two_people ON performance_bonussheet;
CREATE TRIGGER performance_bonus_sheet_two_people
    BEFORE INSERT OR UPDATE ON performance_bonussheet
    FOR EACH ROW EXECUTE FUNCTION performance_bonus_sheet_two_people();
"""

TWO_PEOPLE_DROP = """
DROP TRIGGER IF EXISTS performance_bonus_sheet_two_people ON performance_bonussheet;
DROP FUNCTION IF EXISTS performance_bonus_sheet_two_people();
"""


def mark_legacy_and_backfill(apps, schema_editor):
    BonusSheet = apps.get_model("performance", "BonusSheet")
    BonusSheetChange = apps.get_model("performance", "BonusSheetChange")
    AuditEvent = apps.get_model("datasecurity", "AuditEvent")
    postgres = schema_editor.connection.vendor == "postgresql"
    legacy = BonusSheet.objects.exclude(status="draft").filter(approved_by=models.F("prepared_by"))
    if legacy.exists():
        if postgres:
            schema_editor.execute("ALTER TABLE performance_bonussheet DISABLE TRIGGER performance_bonus_sheet_locked")
        legacy.update(legacy_self_approval=True)
        if postgres:
            schema_editor.execute("ALTER TABLE performance_bonussheet ENABLE TRIGGER performance_bonus_sheet_locked")
    drafts = {str(pk): pk for pk in BonusSheet.objects.filter(status="draft").values_list("pk", flat=True)}
    if not drafts:
        return
    events = AuditEvent.objects.filter(
        object_type="performance.bonussheet",
        object_id__in=list(drafts),
        action__in=list(_CHANGE_ACTIONS),
        actor__isnull=False,
    ).values_list("object_id", "actor_id", "action", "occurred_at")
    BonusSheetChange.objects.bulk_create(
        [
            BonusSheetChange(
                sheet_id=drafts[object_id], changed_by_id=actor_id, kind=_CHANGE_ACTIONS[action], changed_at=at
            )
            for object_id, actor_id, action, at in events
        ],
        batch_size=1000,
    )
    for sheet in BonusSheet.objects.filter(status="draft").only("pk", "prepared_by_id", "prepared_at"):
        if not BonusSheetChange.objects.filter(sheet_id=sheet.pk, changed_by_id=sheet.prepared_by_id).exists():
            BonusSheetChange.objects.create(
                sheet_id=sheet.pk, changed_by_id=sheet.prepared_by_id, kind="prepared", changed_at=sheet.prepared_at
            )


def two_people_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TWO_PEOPLE, params=None)


def two_people_trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TWO_PEOPLE_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0007_indicator_description_en"),
        ("datasecurity", "0002_audit_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="bonussheet",
            name="legacy_self_approval",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="approved by its preparer before the two-person rule"
            ),
        ),
        migrations.CreateModel(
            name="BonusSheetChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("prepared", "Prepared"),
                            ("recomputed", "Recomputed"),
                            ("adjusted", "Reward or fine added"),
                            ("adjustment_removed", "Reward or fine removed"),
                            ("corrected", "Prepared as a correction"),
                            ("carried", "Reward or fine carried over from the corrected version"),
                        ],
                        max_length=20,
                        verbose_name="change",
                    ),
                ),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="changed at")),
                (
                    "changed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
                (
                    "sheet",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="performance.bonussheet",
                        verbose_name="bonus sheet",
                    ),
                ),
            ],
            options={
                "verbose_name": "bonus sheet change",
                "verbose_name_plural": "bonus sheet changes",
                "ordering": ["sheet", "changed_at", "id"],
                "indexes": [models.Index(fields=["sheet", "changed_by"], name="bonus_change_sheet_by_idx")],
            },
        ),
        migrations.RunPython(mark_legacy_and_backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="bonussheet",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("approved_by__isnull", True),
                    models.Q(("approved_by", models.F("prepared_by")), _negated=True),
                    ("legacy_self_approval", True),
                    _connector="OR",
                ),
                name="bonus_sheet_approver_not_preparer",
            ),
        ),
        migrations.RunPython(two_people_trigger, two_people_trigger_drop),
    ]
