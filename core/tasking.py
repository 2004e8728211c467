"""Enqueue a Celery task after the current transaction commits, without ever failing the
caller when the broker is down: rows are the truth and the sweep catches up."""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def send(task, *args, **kwargs):
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # noqa: BLE001 - any broker failure: the beat sweep will redo it
        logger.warning("Broker unavailable: %s not sent; the sweep will catch up", task.name)


def send_by_name(name, *args, **kwargs):
    """``send`` for a task known by its registered name: an event subscriber sends work
    without importing the task's module (and so the models behind it)."""
    try:
        current_app.send_task(name, args=args, kwargs=kwargs, retry=False)
    except Exception:  # noqa: BLE001 - any broker failure: the beat sweep will redo it
        logger.warning("Broker unavailable: %s not sent; the sweep will catch up", name)


def send_on_commit(task, *args, **kwargs):
    transaction.on_commit(lambda: send(task, *args, **kwargs))
