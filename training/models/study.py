"""Self-study (TRN-2, SEC-3): a course's material, each learner's progress, the question bank and
timed online assessments.

- Material is a private file (PDF, video, image; checked by content) or a link, in the course's
  order. A learner's progress remembers when they first opened it and when it was completed.
- The question bank holds single-choice, multiple-choice and true/false questions whose options
  flag the correct ones; only active questions are drawn.
- An attempt is one sitting of the assessment: ``question_count`` active questions drawn at random
  (options shuffled), stored on the attempt with the deadline the server enforces. The database
  keeps an attempt's ``number`` within the ``max_attempts`` copied at start and unique per learner,
  course and year (a yearly course such as SEC-3's starts again each year), and at most one open
  attempt per learner and course.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee
from training.models.courses import Course

__all__ = [
    "AttemptAnswer",
    "AttemptStatus",
    "CourseMaterial",
    "MaterialKind",
    "MaterialProgress",
    "Question",
    "QuestionKind",
    "QuestionOption",
    "StudyAttempt",
]


class MaterialKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


class CourseMaterial(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=MaterialKind.choices)
    url = models.URLField(_("link"), max_length=500, blank=True)
    path = models.CharField(_("stored file"), max_length=300, blank=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("course material")
        verbose_name_plural = _("course materials")
        ordering = ["course", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="file") & ~Q(path="") & Q(url="")) | (Q(kind="link") & Q(path="") & ~Q(url="")),
                name="training_material_file_or_link",
            ),
        ]
        indexes = [models.Index(fields=["course", "position"], name="training_material_order_idx")]

    def __str__(self):
        return self.title


class MaterialProgress(models.Model):
    material = models.ForeignKey(
        CourseMaterial, verbose_name=_("material"), on_delete=models.CASCADE, related_name="progress"
    )
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("material progress")
        verbose_name_plural = _("material progress")
        constraints = [
            models.UniqueConstraint(fields=["material", "employee"], name="training_progress_once"),
        ]
        indexes = [models.Index(fields=["employee", "material"], name="training_progress_emp_idx")]

    def __str__(self):
        return f"{self.material_id} · {self.employee_id}"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")


class Question(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.TextField(_("question"), max_length=2000)
    explanation = models.TextField(_("explanation"), max_length=4000, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["course", "pk"]
        indexes = [models.Index(fields=["course", "active"], name="training_question_course_idx")]

    def __str__(self):
        return self.text[:60]


class QuestionOption(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=500)
    correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position", "pk"]

    def __str__(self):
        return self.text[:60]


class AttemptStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    EXPIRED = "expired", _("Time ran out")


class StudyAttempt(models.Model):
    """One sitting of a course's online assessment (TRN-2). ``draw`` is what was drawn at start:
    ``[{"q": question id, "o": [option ids in the order shown]}, …]``."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="attempts")
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("Attempts are counted per year: a yearly course (SEC-3) starts again each year.")
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"))
    status = models.CharField(_("status"), max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.OPEN)
    draw = models.JSONField(_("questions drawn"), default=list)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    late = models.BooleanField(
        _("submitted after the deadline"),
        default=False,
        help_text=_("Scored with the answers saved before the deadline."),
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    pass_mark = models.DecimalField(_("pass mark"), max_digits=5, decimal_places=2)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment attempt")
        verbose_name_plural = _("assessment attempts")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "employee", "year", "number"], name="training_attempt_number_once"
            ),
            models.UniqueConstraint(
                fields=["course", "employee"], condition=Q(status="open"), name="training_attempt_one_open"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=F("max_attempts")), name="training_attempt_within_max"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="training_attempt_score_range",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(submitted_at__isnull=False), name="training_attempt_closed_has_time"
            ),
        ]
        indexes = [models.Index(fields=["employee", "course"], name="training_attempt_emp_idx")]

    def __str__(self):
        return f"{self.course.code} #{self.number}"


class AttemptAnswer(models.Model):
    """A learner's answer to one drawn question: the chosen option ids; ``correct`` once scored."""

    attempt = models.ForeignKey(
        StudyAttempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+")
    chosen = models.JSONField(_("chosen options"), default=list)
    correct = models.BooleanField(_("correct"), null=True, blank=True)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="training_answer_once"),
        ]

    def __str__(self):
        return f"{self.attempt_id} · {self.question_id}"
