"""Reads of the versioned policies: the version in force on a date, the registry, the versions."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.models import (
    POLICY_DEFAULTS_NOTE,
    POLICY_REGISTRY,
    VersionedPolicy,
)

__all__ = [
    "policy_in_force",
    "policy_model_get",
    "policy_models",
    "policy_overview",
    "policy_versions",
]


def policy_models() -> list[type[VersionedPolicy]]:
    return sorted(POLICY_REGISTRY.values(), key=lambda m: m._meta.label_lower)


def policy_model_get(label: str) -> type[VersionedPolicy]:
    model = POLICY_REGISTRY.get(label)
    if model is None:
        raise NotFoundError(_("Unknown policy."))
    return model


def policy_overview() -> list[dict]:
    """Every policy type with the version in force today and the count of versions."""
    today = timezone.localdate()
    rows = []
    for model in policy_models():
        # One query per policy type: versions are few (one per change of the regulation's blanks).
        versions = list(model.objects.order_by("-effective_from"))
        current = next((v for v in versions if v.effective_from <= today), None)
        upcoming = [v for v in versions if v.effective_from > today]
        rows.append(
            {
                "label": model._meta.label_lower,
                "name": model._meta.verbose_name,
                "doc": model.description,
                "current": current or policy_in_force(model, today),
                "upcoming": upcoming[-1] if upcoming else None,
                "version_count": len(versions),
            }
        )
    return rows


def policy_versions(model: type[VersionedPolicy]) -> QuerySet:
    return model.objects.select_related("created_by").order_by("-effective_from")


def policy_in_force(model: type[VersionedPolicy], on: datetime.date | None = None) -> VersionedPolicy:
    """The version of ``model`` in force on ``on`` (default: today in the site's time zone).

    If no version is effective yet on that date, the model's defaults apply (an unsaved instance)
    so a fresh installation behaves as the regulation's defaults say.
    """
    on = on or timezone.localdate()
    version = model.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if version is None:
        version = model(effective_from=datetime.date(2000, 1, 1), note=POLICY_DEFAULTS_NOTE)
    return version
