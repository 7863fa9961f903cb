"""Integration token rules (CMP-1: the web form and the CRM file complaints through the API):
only a token's SHA-256 is stored, and a complaint's ``source`` names the integration."""

from __future__ import annotations

import hashlib

from complaints.models import IntegrationToken

__all__ = ["integration_source", "integration_token_hash"]


def integration_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def integration_source(integration: IntegrationToken) -> str:
    """What the complaint's ``source`` says about where it came from."""
    return f"integration:{integration.name}"
