"""The one writer of training records (TRN-3), called by the areas that produce them (a session's
attendance and score, a submitted self-study attempt, HR's entry of an external course) inside
their own transaction."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.exports import ExportFile, csv_file, xlsx_file
from callcenter.roles import Role, has_role
from callcenter.selectors import employees_visible_to
from datasecurity.services import audit_record
from training.errors import TrainingErrorCode
from training.models import Course, RecordResult, RecordSource, TrainingRecord
from training.selectors import training_certificate_get, training_record_list

__all__ = [
    "RECORD_EXPORT_FORMATS",
    "training_certificate_export",
    "training_record_export",
    "training_record_external_create",
    "training_record_write",
]


def _certificate_no(record: TrainingRecord) -> str:
    return f"TRN-{record.completed_on:%Y}-{record.pk:07d}"


def training_record_write(
    *,
    actor,
    employee_id: int,
    course,
    source: str,
    source_key: str,
    completed_on: datetime.date,
    hours: Decimal,
    result: str,
    score: Decimal | None = None,
    pass_mark: Decimal | None = None,
    attempts: int = 0,
    session=None,
) -> TrainingRecord:
    """Create or update the record of ``employee_id`` for ``source_key`` (one per employee and
    key: a retake updates it), give a passed record its certificate number (kept once given,
    also if a later retake of the same source fails: the passed result stands) and audit it.
    The caller holds the transaction and has checked its own rules."""
    with transaction.atomic(savepoint=False):
        record = (
            TrainingRecord.objects.select_for_update().filter(employee_id=employee_id, source_key=source_key).first()
        )
        before = None
        if record is None:
            record = TrainingRecord(
                employee_id=employee_id,
                source_key=source_key,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        else:
            before = {"result": record.result, "score": str(record.score) if record.score is not None else None}
            if record.result == RecordResult.PASSED and result != RecordResult.PASSED:
                # A pass stands: a later failed retake of the same source does not take it away.
                return record
        record.course = course
        record.session = session
        record.source = source
        record.completed_on = completed_on
        record.hours = hours
        record.result = result
        record.score = score
        record.pass_mark = pass_mark
        record.attempts = attempts
        record.updated_at = timezone.now()
        record.save()
        if record.result == RecordResult.PASSED and not record.certificate_no:
            record.certificate_no = _certificate_no(record)
            record.save(update_fields=["certificate_no"])
        new_score = str(score) if score is not None else None
        audit_record(
            actor=actor,
            action="training_record.write" if before is None else "training_record.update",
            obj=record,
            changes={
                "course": course.code,
                "result": [before["result"], result] if before else result,
                "score": [before["score"], new_score] if before else new_score,
                "source": source_key,
            },
        )
        return record


# --- Records (TRN-3): HR's entry of an external course, the exports, the certificate ----------------

RECORD_EXPORT_FORMATS = ("csv", "xlsx")
_ENTRY_RESULTS = (RecordResult.PASSED, RecordResult.FAILED, RecordResult.ATTENDED)


@privileged_service("training.training_record_external_create", label=gettext_lazy("enter a training record"))
@transaction.atomic
def training_record_external_create(
    *,
    actor,
    employee_id: int,
    course_id: int,
    completed_on: datetime.date,
    hours: Decimal,
    result: str,
    score: Decimal | None = None,
) -> TrainingRecord:
    """HR enters a course taken outside (an external provider's certificate, TRN-3): source
    ``external``, audited by the records' writer. Never on one's own record (SEC-2); only for an
    employee HR's remit covers; the course must exist."""
    if not has_role(actor, Role.HR):
        raise PermissionDeniedError(
            _("Only HR enters external training records (TRN-3)."), code=TrainingErrorCode.NOT_ALLOWED
        )
    employee = employees_visible_to(actor).select_for_update().filter(pk=employee_id).first()
    if employee is None:
        raise NotFoundError(_("Employee not found."))
    refuse_own_record(actor=actor, action="training.training_record_external_create", employee_id=employee.pk)
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise NotFoundError(_("Course not found."), code=TrainingErrorCode.COURSE_NOT_FOUND)
    if result not in _ENTRY_RESULTS:
        raise ApplicationError(_("Choose passed, failed or attended."), code=TrainingErrorCode.INVALID_INPUT)
    if score is not None and not (Decimal("0") <= score <= Decimal("100")):
        raise ApplicationError(_("A score is between 0 and 100."), code=TrainingErrorCode.INVALID_INPUT)
    if hours is None or not (Decimal("0") < hours <= Decimal("999")):
        raise ApplicationError(_("Hours are more than 0 and at most 999."), code=TrainingErrorCode.INVALID_INPUT)
    if completed_on > timezone.localdate():
        raise ApplicationError(_("A training record cannot be in the future."), code=TrainingErrorCode.INVALID_INPUT)
    return training_record_write(
        actor=actor,
        employee_id=employee.pk,
        course=course,
        source=RecordSource.EXTERNAL,
        source_key=f"external:{course.pk}:{completed_on:%Y%m%d}",
        completed_on=completed_on,
        hours=hours,
        result=result,
        score=score,
        pass_mark=course.pass_mark if score is not None else None,
        attempts=1 if score is not None else 0,
    )


def _record_rows(records) -> tuple[list[str], list[list]]:
    headers = [
        _("Date"),
        _("Employee number"),
        _("Name"),
        _("Team"),
        _("Course code"),
        _("Course"),
        _("Topic area"),
        _("Hours"),
        _("Score"),
        _("Result"),
        _("Attempts"),
        _("Certificate number"),
        _("Source"),
    ]
    rows = [
        [
            r.completed_on,
            r.employee.employee_no,
            r.employee.name,
            r.employee.team.name if r.employee.team else "",
            r.course.code,
            r.course.title,
            r.course.get_topic_area_display(),
            r.hours,
            r.score,
            r.get_result_display(),
            r.attempts,
            r.certificate_no or "",
            r.get_source_display(),
        ]
        for r in records
    ]
    return headers, rows


@transaction.atomic
def training_record_export(*, actor, filters: dict | None = None, fmt: str) -> ExportFile:
    """The training records ``actor`` may read, filtered as on the list page, as CSV or XLSX
    (TRN-3). Audited in the same transaction (``training_record.export``: format, filters, rows)."""
    if fmt not in RECORD_EXPORT_FORMATS:
        raise NotFoundError(_("Unknown export format."))
    filters = filters or {}
    records = training_record_list(user=actor, filters=filters).iterator(chunk_size=2000)
    headers, rows = _record_rows(records)
    audit_record(
        actor=actor,
        action="training_record.export",
        object_type="training.trainingrecord",
        object_id="list",
        changes={"format": fmt, "rows": len(rows), "filters": {k: str(v) for k, v in filters.items() if v}},
    )
    name = f"training-records-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return csv_file(filename=name, headers=headers, rows=rows)
    return xlsx_file(filename=name, headers=headers, rows=rows, sheet_title=str(_("Training records"))[:31])


@transaction.atomic
def training_certificate_export(*, actor, record_id: int) -> ExportFile:
    """The certificate of completion of a passed record as a PDF (TRN-3), for the owner, their
    reporting line and HR (:func:`training.selectors.training_certificate_get`); the download is
    audited (``training_record.certificate``)."""
    # Imported here: the renderer loads WeasyPrint (0.65 s and 40 MB per process), which only the
    # process that renders a certificate needs; the web process that lists records never does.
    from training import exports  # noqa: PLC0415 - heavy library loaded only by the process that renders

    record = training_certificate_get(user=actor, pk=record_id)
    data = exports.certificate_pdf(record)
    audit_record(
        actor=actor,
        action="training_record.certificate",
        obj=record,
        changes={"certificate_no": record.certificate_no, "course": record.course.code},
    )
    return ExportFile(data, f"certificate-{record.certificate_no}.pdf", "application/pdf")
