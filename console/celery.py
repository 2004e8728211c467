"""The Celery app. The broker only carries wake-ups; rows in the database are the truth."""

import os

from celery import Celery, signals
from django.utils import timezone

from core import metrics

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
