"""IVR status answers for Prometheus (served by /metrics through ``core.metrics``).

The events process answers ``GET /api/v1/ivr/status`` without a Django request, so
django-prometheus's request counters never see those answers. The events process counts them
itself (``api.ivr_asgi``: in memory, added to a Redis hash about once a second, like the
workers' task counters) and this collector reads the hash, so the IVR's traffic on the day of
an outage shows on the dashboards whichever process answered. Answers the DRF view gives (on
gunicorn, ``make run``) are in django-prometheus's counters by view as before."""

import logging

import redis
from prometheus_client.core import CounterMetricFamily

from core import metrics

logger = logging.getLogger(__name__)

IVR_ANSWERS = metrics.PREFIX + "ivr_status_answers"


def collect(*, now):
    counts = {}
    client = metrics.store()
    if client is not None:
        try:
            stored = client.hgetall(IVR_ANSWERS)
            counts = {key.decode(): int(value) for key, value in stored.items()}
        except redis.RedisError as exc:
            logger.warning("IVR answer counts not read: %s", exc)
    answers = CounterMetricFamily(
        "console_ivr_status_answers_events",
        "IVR status answers given by the events process, by HTTP status.",
        labels=["status"],
    )
    for status, count in sorted(counts.items()):
        answers.add_metric([status], count)
    yield answers
