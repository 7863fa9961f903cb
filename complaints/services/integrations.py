"""Writes of the systems that file complaints through the API (CMP-1: the online web form, the
CRM): registering one and retiring it (``manage.py complaint_integration_create`` / ``…_deactivate``).

Mirrors the time clocks (``attendance.services.device_create`` / ``device_authenticate``): a
token is generated once and printed, only its SHA-256 is stored, and a deactivated integration is
refused (:func:`complaints.selectors.integration_authenticate`).
"""

from __future__ import annotations

import re
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, CoreErrorCode
from complaints.errors import ComplaintErrorCode
from complaints.models import IntegrationToken
from complaints.rules import integration_token_hash
from datasecurity.services import audit_record

__all__ = ["integration_token_create", "integration_token_deactivate"]

_NAME = re.compile(r"^[a-z0-9_-]{1,30}$")


@transaction.atomic
def integration_token_create(*, actor, name: str) -> tuple[IntegrationToken, str]:
    """Register an integration; returns it and its token (shown once, never stored)."""
    name = (name or "").strip().lower()
    if not _NAME.match(name):
        raise ApplicationError(
            _("An integration's name is 1 to 30 lowercase letters, digits, '-' or '_' (e.g. webform, crm)."),
            code=ComplaintErrorCode.INVALID_NAME,
        )
    if IntegrationToken.objects.filter(name=name).exists():
        raise ApplicationError(
            _("An integration with this name already exists."), code=ComplaintErrorCode.NAME_TAKEN, status=409
        )
    raw_token = secrets.token_urlsafe(32)
    integration = IntegrationToken.objects.create(name=name, token_hash=integration_token_hash(raw_token))
    audit_record(actor=actor, action="complaint.integration_create", obj=integration, changes={"name": name})
    return integration, raw_token


@transaction.atomic
def integration_token_deactivate(*, actor, name: str) -> IntegrationToken:
    """Retire an integration (a leaked token, a replaced CRM): its token is refused from now on;
    the complaints it filed keep their source."""
    integration = IntegrationToken.objects.select_for_update().filter(name=(name or "").strip().lower()).first()
    if integration is None:
        raise ApplicationError(_("No integration with this name."), code=CoreErrorCode.NOT_FOUND, status=404)
    if integration.active:
        integration.active = False
        integration.save(update_fields=["active"])
        audit_record(
            actor=actor, action="complaint.integration_deactivate", obj=integration, changes={"name": integration.name}
        )
    return integration
