"""The org: departments, teams, positions (岗位), employees and their reporting lines."""

import re
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from callcenter.models.accounts import User

__all__ = [
    "BilingualNamed",
    "Department",
    "Employee",
    "EmploymentStatus",
    "Position",
    "Team",
    "pinyin_initials",
]

# Surnames whose reading differs from the character's common one (曾 zēng, not céng; 单 shàn):
# the first character of a name is read as a surname.
_SURNAME_INITIALS = {
    "曾": "z", "单": "s", "解": "x", "查": "z", "仇": "q", "区": "o", "朴": "p", "盖": "g", "乐": "y",
    "尉": "y", "覃": "q", "翟": "z", "缪": "m", "种": "c", "秘": "b", "召": "s", "长": "z", "重": "c",
}  # fmt: skip
_LATIN_WORD = re.compile(r"[A-Za-z]+")
INITIALS_MAX_LENGTH = 100


def pinyin_initials(name: str) -> str:
    """The pinyin initials of a name, lower case, for the directory's search (张伟 → ``zw``,
    曾小贤 → ``zxx``); a Latin word gives its first letter (Anna Li → ``al``); other characters
    are skipped. The value of :attr:`Employee.name_initials`: :meth:`Employee.save` keeps it, and
    a writer that bypasses ``save()`` (``bulk_create``, ``update()``) sets it with this function."""
    # pypinyin loads its dictionaries on import (~0.3 s): only a process that names someone pays it,
    # not every worker, test process and management command that imports the models.
    from pypinyin import Style, lazy_pinyin  # noqa: PLC0415 - heavy library loaded on first use

    name = (name or "").strip()
    letters = []
    for index, part in enumerate(lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda text: [text])):
        if index == 0 and name[:1] in _SURNAME_INITIALS:
            letters.append(_SURNAME_INITIALS[name[0]])
            continue
        # A Chinese character comes as its initial; any other run of text as it is.
        letters.extend(word[0] for word in _LATIN_WORD.findall(part))
    return "".join(letters).lower()[:INITIALS_MAX_LENGTH]


class BilingualNamed:
    """Mixin for records HR names in both languages (``name`` in Chinese, ``name_en``): the name
    in the reader's active language."""

    @property
    def display_name(self) -> str:
        lang = translation.get_language() or ""
        return self.name if lang.startswith("zh") or not self.name_en else self.name_en


class Department(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The department this one reports to; never itself or one of its own sub-departments."),
    )
    manager = models.ForeignKey(
        "Employee",
        verbose_name=_("department manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_departments",
    )
    leader_in_charge = models.ForeignKey(
        "Employee",
        verbose_name=_("company leader in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
        # An object permission (django-guardian), held only through an access grant.
        permissions = [("hr_department", _("Can act as HR for the department"))]

    def __str__(self):
        return self.name


class Team(models.Model):
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="teams"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    supervisor = models.ForeignKey(
        "Employee",
        verbose_name=_("team supervisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["code"]
        # An object permission (django-guardian), held only through an access grant.
        permissions = [("cover_team", _("Can cover as the team's supervisor"))]

    def __str__(self):
        return self.name


class Position(models.Model):
    """A post (岗位); appraisal indicator weights are per post (PRF-1)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["code"]

    def __str__(self):
        return self.name


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")


class Employee(models.Model):
    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="employee")
    employee_no = models.CharField(_("employee number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # The pinyin initials of ``name`` (张伟 → "zw") for the directory's search; kept by save().
    name_initials = models.CharField(_("name initials"), max_length=INITIALS_MAX_LENGTH, blank=True, editable=False)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="employees"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    position = models.ForeignKey(Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="+")
    hire_date = models.DateField(_("hire date"))
    first_employed_on = models.DateField(
        _("date first employed"), help_text=_("Start of cumulative working years for annual leave (LV-3).")
    )
    monthly_base_pay = models.DecimalField(
        _("monthly base pay"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    bonus_base = models.DecimalField(
        _("performance bonus base"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Base of the monthly performance bonus (PRF-4)."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EmploymentStatus.choices, default=EmploymentStatus.ACTIVE
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=20, blank=True, help_text=_("Contact phone (optional)."))

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["employee_no"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_base_pay__gte=0), name="employee_base_pay_non_negative"),
            models.CheckConstraint(condition=Q(bonus_base__gte=0), name="employee_bonus_base_non_negative"),
            models.CheckConstraint(
                condition=(Q(status="active", left_on__isnull=True) | Q(status="left", left_on__isnull=False)),
                name="employee_left_on_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(first_employed_on__lte=models.F("hire_date")),
                name="employee_first_employed_not_after_hire",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="employee_dept_status_idx"),
            models.Index(fields=["team", "status"], name="employee_team_status_idx"),
            # The directory's prefix searches (LIKE 'zw%'), whatever the database's collation.
            models.Index(
                fields=["name_initials"], name="employee_initials_like_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["employee_no"], name="employee_no_like_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.employee_no})"

    def save(self, *args, **kwargs):
        # The directory's initials follow the name, whoever writes it (docs/people-org.md).
        initials = pinyin_initials(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields and "name_initials" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "name_initials"]
        self.name_initials = initials
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status == EmploymentStatus.ACTIVE
