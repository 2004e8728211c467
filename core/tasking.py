"""Enqueue a Celery task after the current transaction commits, without ever failing the
caller when the broker is down: rows are the truth and the sweep catches up.

A broker that is down costs one refused connection, not seconds: publishing tries once (no
retry; the transport's ``max_retries`` is 0 in settings), and after a failure this process
skips publishing for ``BROKER_RETRY_SECONDS`` (the sweep, every minute, does the work the
skipped messages would have woken up sooner)."""

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_skip_until = 0.0  # time.monotonic() before which publishing is skipped


def _retry_seconds():
    return getattr(settings, "BROKER_RETRY_SECONDS", 10)


def broker_marked_down():
    return time.monotonic() < _skip_until


def broker_mark_up():
    """Forget a failure (tests, or a health check that found the broker back)."""
    global _skip_until
    with _lock:
        _skip_until = 0.0


def send(task, *args, **kwargs):
    global _skip_until
    if broker_marked_down():
        logger.info("Broker marked down: %s not sent; the sweep will catch up", task.name)
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # noqa: BLE001 - any broker failure: the beat sweep will redo it
        with _lock:
            _skip_until = time.monotonic() + _retry_seconds()
        logger.warning("Broker unavailable: %s not sent; the sweep will catch up", task.name)
        return False
    return True


def send_by_name(name, *args, **kwargs):
    """``send`` for a task known by its registered name: an event subscriber sends work
    without importing the task's module (and so the models behind it)."""
    global _skip_until
    if broker_marked_down():
        logger.info("Broker marked down: %s not sent; the sweep will catch up", name)
        return False
    try:
        current_app.send_task(name, args=args, kwargs=kwargs, retry=False)
    except Exception:  # noqa: BLE001 - any broker failure: the beat sweep will redo it
        with _lock:
            _skip_until = time.monotonic() + _retry_seconds()
        logger.warning("Broker unavailable: %s not sent; the sweep will catch up", name)
        return False
    return True


def send_on_commit(task, *args, **kwargs):
    transaction.on_commit(lambda: send(task, *args, **kwargs))
