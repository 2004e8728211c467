"""Outage gauges for Prometheus (served by /metrics through ``core.metrics``)."""

from prometheus_client.core import GaugeMetricFamily

from .selectors import outages_health


def collect(*, now):
    health = outages_health()
    outages = GaugeMetricFamily(
        "console_outages", "Outages not yet closed, by status.", labels=["status"]
    )
    for status, count in health["by_status"].items():
        outages.add_metric([status], count)
    yield outages
    escalations = GaugeMetricFamily(
        "console_escalations_open", "Escalations waiting for a supervisor.", labels=["reason"]
    )
    for reason, count in health["escalations"].items():
        escalations.add_metric([reason], count)
    yield escalations
