"""DRF's plain-text user tokens (``rest_framework.authtoken``) become hashed API tokens.

Each existing key is stored as its SHA-256 in ``ApiToken`` (named "Migrated token", expiring after
the account policy's token lifetime from now), so the integrations using it keep working with the
same ``Authorization: Token <key>`` header until then; a token of a deactivated account is carried
over revoked. Then the plain-text table is dropped with its migration records:
``rest_framework.authtoken`` is no longer installed. Nothing to undo (the keys are gone).
"""

import datetime
import hashlib

from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

AUTHTOKEN_TABLE = "authtoken_token"


def _token_lifetime(apps) -> datetime.timedelta:
    policy_model = apps.get_model("callcenter", "AccountPolicy")
    policy = policy_model.objects.filter(effective_from__lte=timezone.localdate()).order_by("-effective_from").first()
    return datetime.timedelta(days=policy.api_token_max_age_days if policy else 90)


def _created(value, now: datetime.datetime) -> datetime.datetime:
    # SQLite's cursor gives text; DRF stored UTC.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return min(value, now)


def authtoken_keys_hashed(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if AUTHTOKEN_TABLE not in connection.introspection.table_names(cursor):
            return
        cursor.execute(f"SELECT key, user_id, created FROM {AUTHTOKEN_TABLE}")  # noqa: S608 - a constant
        rows = cursor.fetchall()
    token_model = apps.get_model("callcenter", "ApiToken")
    user_model = apps.get_model("callcenter", "User")
    active = set(user_model.objects.filter(is_active=True).values_list("pk", flat=True))
    now = timezone.now()
    expires_at = now + _token_lifetime(apps)
    for key, user_id, created in rows:
        key_hash = hashlib.sha256(key.encode()).hexdigest()
        if token_model.objects.filter(key_hash=key_hash).exists():
            continue
        token_model.objects.create(
            user_id=user_id,
            name="Migrated token",
            key_prefix=key[:8],
            key_hash=key_hash,
            created_at=_created(created, now),
            expires_at=expires_at,
            revoked_at=None if user_id in active else now,
            revoked_reason="" if user_id in active else "deactivation",
        )
    schema_editor.execute(f"DROP TABLE {AUTHTOKEN_TABLE}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0005_api_tokens_hashed_and_token_lifetime_policy"),
    ]

    operations = [
        migrations.RunPython(authtoken_keys_hashed, migrations.RunPython.noop, elidable=True),
    ]
