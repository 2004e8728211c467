"""Notification gauges for Prometheus (served by /metrics through ``core.metrics``)."""

from prometheus_client.core import GaugeMetricFamily

from . import rules
from .selectors import messages_by_channel_and_status


def collect(*, now):
    counts = messages_by_channel_and_status()
    messages = GaugeMetricFamily(
        "console_notifications_messages",
        "Customer messages by channel and status (queued includes those being sent).",
        labels=["channel", "status"],
    )
    for channel in rules.CHANNELS:
        for status in (rules.QUEUED, rules.SENT, rules.DELIVERED, rules.FAILED):
            messages.add_metric([channel, status], counts.get((channel, status), 0))
    yield messages
    del now
