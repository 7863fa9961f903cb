"""Versioned policy base.

Every blank the regulation leaves (``[X]`` minutes, ``[具体金额]``) is a field of a concrete
subclass of :class:`VersionedPolicy`. HR never edits a version in place: a change is a new
version with an effective date, and every computation asks for the version in force on the date
it concerns (a March fine uses March's policy even if HR changed it in April).

Each concrete policy declares ``articles``: field name -> article code of REGULATION.md, shown
next to the field in the browser and in every explanation.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "POLICY_DEFAULTS_NOTE",
    "POLICY_REGISTRY",
    "VersionedPolicy",
    "register_policy",
]

# Registry of concrete policy models, filled by ``register_policy``; the policy pages list them.
POLICY_REGISTRY: dict[str, type["VersionedPolicy"]] = {}


# The note of the version a new installation starts with. Stored as this English msgid and
# translated when shown (``VersionedPolicy.note_display``), never stored as translated prose: the
# language is the reader's, not the installer's.
POLICY_DEFAULTS_NOTE = "Regulation defaults"
_DEFAULTS_NOTE_LABEL = _("Regulation defaults")


def register_policy(model):
    POLICY_REGISTRY[model._meta.label_lower] = model
    return model


class VersionedPolicy(models.Model):
    effective_from = models.DateField(_("effective from"), unique=True)
    note = models.CharField(_("reason for the change"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    # field name -> article code (REGULATION.md)
    articles: dict[str, str] = {}
    # What the policy governs, shown on the policy pages in the reader's language (a docstring
    # is for developers and stays English).
    description = ""

    class Meta:
        abstract = True
        ordering = ["-effective_from"]
        get_latest_by = "effective_from"

    def __str__(self):
        return f"{self._meta.verbose_name} ({self.effective_from:%Y-%m-%d})"

    @property
    def note_display(self):
        """The note in the reader's language where it is the installation's own note; what HR
        typed is shown as typed."""
        return _DEFAULTS_NOTE_LABEL if self.note == POLICY_DEFAULTS_NOTE else self.note

    @classmethod
    def parameter_fields(cls):
        """The policy's own parameters, in declaration order (not the bookkeeping fields)."""
        base = {f.name for f in VersionedPolicy._meta.get_fields()} | {"id"}
        return [f for f in cls._meta.concrete_fields if f.name not in base]

    def parameters(self):
        """(field, value, article code) for display and explanations."""
        return [(f, getattr(self, f.name), self.articles.get(f.name, "")) for f in self.parameter_fields()]
