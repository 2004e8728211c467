"""The Celery app. The broker only carries wake-ups; rows in the database are the truth."""

import os

from celery import Celery, signals
from django.utils import timezone

from core import jsonlog, metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

app = Celery("console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(**kwargs):
    """Django's LOGGING (JSON lines in production) is the configuration: Celery adds none."""


@signals.task_failure.connect
def count_failure(sender=None, **kwargs):
    metrics.record_task_failure(sender.name)


@signals.task_retry.connect
def count_retry(sender=None, **kwargs):
    metrics.record_task_retry(sender.name)


@signals.task_success.connect
def note_success(sender=None, **kwargs):
    metrics.record_task_success(sender.name, at=timezone.now())


@signals.before_task_publish.connect
def carry_request_id(headers=None, **kwargs):
    """A task sent while serving a request logs that request's id and user with its own id."""
    context = jsonlog.request_context.get()
    if context is not None and headers is not None:
        headers.setdefault(jsonlog.REQUEST_ID_HEADER, context[0])
        headers.setdefault(jsonlog.REQUEST_USER_HEADER, context[1])
