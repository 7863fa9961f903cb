"""Who a plan item or a mandatory course is for (TRN-1): everyone, new hires, some positions,
some teams, or named people. Resolved to employees by ``training.selectors.audience_employee_ids``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee, Position, Team

__all__ = ["Audience", "AudienceKind"]


class AudienceKind(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    NEW_HIRES = "new_hires", _("New hires")
    POSITIONS = "positions", _("Positions")
    TEAMS = "teams", _("Teams")
    PEOPLE = "people", _("Named people")


class Audience(models.Model):
    """Abstract: the audience fields a model shares. Only the M2M of its kind is read."""

    audience_kind = models.CharField(
        _("audience"), max_length=10, choices=AudienceKind.choices, default=AudienceKind.EVERYONE
    )
    audience_positions = models.ManyToManyField(Position, verbose_name=_("positions"), blank=True, related_name="+")
    audience_teams = models.ManyToManyField(Team, verbose_name=_("teams"), blank=True, related_name="+")
    audience_people = models.ManyToManyField(Employee, verbose_name=_("people"), blank=True, related_name="+")

    class Meta:
        abstract = True
