"""Notifications in production: the gauges /metrics serves, and the nightly removal of
messages' addresses and bodies after the retention period (the clock is time-machine's)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from core import metrics
from notifications import rules, services, tasks
from notifications.models import Message, Notice
from tests.factories import CustomerFactory, OutageFactory

T0 = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
TOKEN = "t0k3n-for-the-notification-metrics"


def _messages(specs, *, at=T0):
    """One notice, and a message per ``(channel, status)`` with its own address."""
    outage = OutageFactory()
    notice = Notice.objects.create(
        event=rules.DECLARED, key=f"outage:{outage.pk}", outage=outage, created_at=at
    )
    customer = CustomerFactory()
    rows = []
    for index, (channel, status) in enumerate(specs):
        address = f"+1202555{index:04d}" if channel == rules.SMS else f"p{index}@example.net"
        rows.append(
            Message.objects.create(
                notice=notice,
                outage=outage,
                customer=customer,
                channel=channel,
                address=address,
                status=status,
                not_before=at,
                created_at=at,
                subject="Outage in Elm Park" if channel == rules.EMAIL else "",
                body=f"Hi Maria Jones, {address}: power is out at 12 Elm Street.",
                error="550 no such user" if status == rules.FAILED else "",
            )
        )
    return rows


def _value(text, name, labels):
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    assert match, f"{name}{labels} not in the metrics"
    return float(match.group(1))


def test_the_notifications_gauges_are_discovered():
    modules = {collect.__module__ for collect in metrics.app_collectors()}
    assert "notifications.metrics" in modules


@pytest.mark.django_db
def test_metrics_count_sent_failed_and_queued_per_channel(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    sms, email = rules.SMS, rules.EMAIL
    _messages(
        [
            (sms, rules.QUEUED),
            (sms, rules.SENDING),  # claimed, not sent yet: counts as queued
            (sms, rules.SENT),
            (sms, rules.DELIVERED),
            (sms, rules.DELIVERED),
            (sms, rules.FAILED),
            (email, rules.SENT),
            (email, rules.FAILED),
            (email, rules.FAILED),
            (email, rules.OPTED_OUT),  # not a gauge
        ]
    )
    response = client.get(reverse("metrics"), headers={"Authorization": f"Bearer {TOKEN}"})
    text = response.content.decode()
    name = "console_notifications_messages"
    expected = {
        (sms, "queued"): 2,
        (sms, "sent"): 1,
        (sms, "delivered"): 2,
        (sms, "failed"): 1,
        (email, "queued"): 0,
        (email, "sent"): 1,
        (email, "delivered"): 0,
        (email, "failed"): 2,
    }
    for (channel, status), count in expected.items():
        assert _value(text, name, f'{{channel="{channel}",status="{status}"}}') == count


@pytest.mark.django_db
def test_nightly_task_removes_addresses_and_bodies_after_the_retention_period():
    old = _messages([(rules.SMS, rules.DELIVERED), (rules.EMAIL, rules.FAILED)])
    # Two more of the same event and channel: the removed addresses must stay distinct.
    old += _messages([(rules.SMS, rules.SENT), (rules.SMS, rules.SENT)])
    waiting = _messages([(rules.SMS, rules.QUEUED)])
    recent = _messages([(rules.EMAIL, rules.SENT)], at=T0 + timedelta(days=30))
    before = sorted(Message.objects.values_list("notice_id", "channel", "status"))

    with time_machine.travel(T0 + timedelta(days=399), tick=False):
        assert tasks.anonymise_old() == {"messages": 0}

    with time_machine.travel(T0 + timedelta(days=401), tick=False):
        assert tasks.anonymise_old() == {"messages": 4}
        assert tasks.anonymise_old() == {"messages": 0}  # again: nothing twice

    for message in old:
        message.refresh_from_db()
        assert message.address == f"removed:{message.pk}"
        assert (message.subject, message.body, message.error) == ("", "", "")
    for message in waiting + recent:
        message.refresh_from_db()
        assert "Elm Street" in message.body and not message.address.startswith("removed:")
    # What reports count stays: the rows, their events, channels and statuses.
    assert sorted(Message.objects.values_list("notice_id", "channel", "status")) == before

    with time_machine.travel(T0 + timedelta(days=431), tick=False):
        assert tasks.anonymise_old() == {"messages": 1}


@pytest.mark.django_db
def test_retention_follows_the_setting(settings):
    settings.PERSONAL_DATA_RETENTION = timedelta(days=30)
    _messages([(rules.EMAIL, rules.SENT)])
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        assert tasks.anonymise_old() == {"messages": 1}


@pytest.mark.django_db
def test_service_takes_the_cutoff_and_the_beat_runs_it_nightly():
    _messages([(rules.SMS, rules.SENT)])
    assert services.messages_anonymise_before(cutoff=T0, now=T0) == {"messages": 0}
    cutoff = T0 + timedelta(seconds=1)
    assert services.messages_anonymise_before(cutoff=cutoff, now=T0) == {"messages": 1}
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-anonymise"]
    assert entry["task"] == "notifications.anonymise_old"
