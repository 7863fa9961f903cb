"""The systems that file complaints through the API (CMP-1: the online web form, the CRM)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["IntegrationToken"]


class IntegrationToken(models.Model):
    """A system that files complaints through the API (CMP-1: the online web form, the CRM),
    authenticated by ``Authorization: Integration <token>``. Only the token's SHA-256 is stored;
    the token itself is printed once by ``manage.py complaint_integration_create``. The name goes
    into each complaint's ``source`` as ``integration:<name>`` (50 characters), hence at most 30."""

    name = models.SlugField(_("name"), max_length=30, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("complaint integration")
        verbose_name_plural = _("complaint integrations")
        ordering = ["name"]

    def __str__(self):
        return self.name
