"""Celery tasks and periodic jobs of the training app, thin: ids in, one service call."""

import datetime

from callcenter.jobs import periodic_job
from training.services import training_reminders_send


# Training records (TRN-3): the daily mandatory-course reminders.
@periodic_job("training-reminders")
def training_reminders(day: str | None = None):
    """Daily: remind learners and their supervisors of mandatory courses before, on and after the
    deadline, once per stage (idempotent: a rerun sends nothing twice)."""
    result = training_reminders_send(today=datetime.date.fromisoformat(day) if day else None)
    return f"{result['date']}: {result['reminders']} reminders to {result['learners']} learners"
