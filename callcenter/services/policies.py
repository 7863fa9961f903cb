"""Writes of the versioned policies: a change is a new version with an effective date."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, CoreErrorCode, validation_message
from callcenter.models import (
    POLICY_DEFAULTS_NOTE,
    POLICY_REGISTRY,
    VersionedPolicy,
)
from callcenter.services.grants import hr_company_wide_require
from datasecurity.services import audit_record

__all__ = [
    "policy_defaults_install",
    "policy_version_create",
]


@transaction.atomic
def policy_version_create(
    *, actor, model: type[VersionedPolicy], effective_from: datetime.date, values: dict, note: str = ""
) -> VersionedPolicy:
    """A new policy version. Past and current versions are never edited: past months keep the
    rules they were computed with. The rules are the whole company's: company HR sets them."""
    hr_company_wide_require(actor)
    today = timezone.localdate()
    if effective_from < today:
        raise ApplicationError(
            _("A new version cannot take effect in the past; past months keep their rules."),
            code=CoreErrorCode.RETROACTIVE_POLICY,
        )
    unknown = set(values) - {f.name for f in model.parameter_fields()}
    if unknown:
        raise ApplicationError(_("Unknown policy parameters: %(p)s") % {"p": ", ".join(sorted(unknown))})
    version = model(effective_from=effective_from, note=note, created_by=actor, **values)
    try:
        version.full_clean(validate_unique=False)  # the unique date is the database's job, below
    except ValidationError as exc:
        raise ApplicationError(validation_message(exc)) from exc
    try:
        # A savepoint: two HR users saving the same date at once meet the unique constraint.
        with transaction.atomic():
            version.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("A version taking effect on %(d)s already exists.") % {"d": effective_from.isoformat()},
            code=CoreErrorCode.DUPLICATE_EFFECTIVE_DATE,
        ) from exc
    audit_record(
        actor=actor,
        action="policy.version_create",
        obj=version,
        changes={"effective_from": effective_from, "note": note, **{k: [None, v] for k, v in values.items()}},
    )
    return version


@transaction.atomic
def policy_defaults_install(*, actor=None, effective_from: datetime.date = datetime.date(2000, 1, 1)) -> list:
    """Install the regulation's defaults as the first version of every registered policy that has
    none yet (a new installation, demo data). Idempotent."""
    created = []
    for model in POLICY_REGISTRY.values():
        if model.objects.exists():
            continue
        version = model.objects.create(effective_from=effective_from, note=POLICY_DEFAULTS_NOTE, created_by=actor)
        audit_record(
            actor=actor, action="policy.defaults_install", obj=version, changes={"effective_from": effective_from}
        )
        created.append(version)
    return created
