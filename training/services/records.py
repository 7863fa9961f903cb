"""The one writer of training records (TRN-3), called by the areas that produce them (a session's
attendance and score, a submitted self-study attempt, HR's entry of an external course) inside
their own transaction."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from datasecurity.services import audit_record
from training.models import RecordResult, TrainingRecord

__all__ = ["training_record_write"]


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
