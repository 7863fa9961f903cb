"""The Celery app. Tasks are thin wrappers taking ids; see docs/operations.md.

Worker and beat log through the settings' ``LOGGING`` (JSON in production, each line with a
request id), not Celery's own set-up; a task's lines carry the id of the request that queued it
(passed in the message's headers), or the task's own id.
"""

import logging.config
import os

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun
from django.conf import settings

from callcenter.request_context import current_request_id, request_id_reset, request_id_set

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

app = Celery("callcenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_REQUEST_ID_HEADER = "request_id"
_request_id_tokens = {}


@setup_logging.connect
def _logging_from_settings(**kwargs):
    """A receiver of ``setup_logging`` keeps Celery from configuring logging: the settings do."""
    logging.config.dictConfig(settings.LOGGING)


@before_task_publish.connect
def _request_id_to_message(headers=None, **kwargs):
    request_id = current_request_id()
    if request_id and headers is not None:
        headers.setdefault(_REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def _request_id_of_task(task_id=None, task=None, **kwargs):
    # A worker finds the message's headers on the request itself; ``apply(headers=…)`` nests them.
    context = task.request if task is not None else None
    queued_by = getattr(context, _REQUEST_ID_HEADER, None) or (getattr(context, "headers", None) or {}).get(
        _REQUEST_ID_HEADER
    )
    _request_id_tokens[task_id] = request_id_set(queued_by or current_request_id() or task_id)


@task_postrun.connect
def _request_id_of_task_done(task_id=None, **kwargs):
    token = _request_id_tokens.pop(task_id, None)
    if token is not None:
        request_id_reset(token)
