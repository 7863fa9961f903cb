"""Reads of the systems that file complaints through the API (CMP-1: the online web form, the CRM).

An unknown and a deactivated token both answer 401: the caller learns nothing about which tokens
once existed. The tokens are registered and retired by :mod:`complaints.services.integrations`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError
from complaints.errors import ComplaintErrorCode
from complaints.models import IntegrationToken
from complaints.rules import integration_token_hash

__all__ = ["integration_authenticate"]


def integration_authenticate(*, token: str) -> IntegrationToken:
    """The active integration holding ``token``; anything else is 401."""
    if not token or not isinstance(token, str) or len(token) > 200:
        raise ApplicationError(
            _("Invalid integration token."), code=ComplaintErrorCode.INTEGRATION_TOKEN_INVALID, status=401
        )
    integration = IntegrationToken.objects.filter(token_hash=integration_token_hash(token), active=True).first()
    if integration is None:
        raise ApplicationError(
            _("Invalid integration token."), code=ComplaintErrorCode.INTEGRATION_TOKEN_INVALID, status=401
        )
    return integration
