"""Callback gauges for Prometheus (served by /metrics through ``core.metrics``)."""

from prometheus_client.core import GaugeMetricFamily

from . import conf
from .selectors import callbacks_health


def collect(*, now):
    health = callbacks_health(now=now, margin=conf.rules().at_risk_margin)
    by_status = GaugeMetricFamily(
        "console_callbacks", "Callback requests by status.", labels=["status"]
    )
    for status, count in health["by_status"].items():
        by_status.add_metric([status], count)
    yield by_status
    yield GaugeMetricFamily(
        "console_callbacks_overdue",
        "Open callbacks past their deadline (first call or retry).",
        value=health["overdue"],
    )
    yield GaugeMetricFamily(
        "console_callbacks_at_risk",
        "Open callbacks whose deadline is within the at-risk margin.",
        value=health["at_risk"],
    )
    oldest = health["oldest_due_at"]
    yield GaugeMetricFamily(
        "console_callbacks_oldest_overdue_seconds",
        "How long ago the oldest missed deadline of an open callback was (0: none missed).",
        value=(now - oldest).total_seconds() if oldest else 0,
    )
    yield GaugeMetricFamily(
        "console_letters_to_send",
        "No-contact letters produced and not yet posted.",
        value=health["letters_to_send"],
    )
