"""Core periodic jobs (thin: each calls one function)."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from .jobs import periodic_job


@periodic_job("sessions-clear")
def sessions_clear():
    """Delete expired sessions (idempotent)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"{deleted} expired sessions deleted"


@shared_task(name="callcenter.tasks.ping")
def ping(value: int) -> dict:
    """A round trip through broker and worker, used by the health page and the tests."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"pong": value}
