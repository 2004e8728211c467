"""A real Celery worker on Redis, killed with SIGKILL in the middle of a 20,000-message send:
after the sweep's requeue and a fresh worker, every customer got the message exactly once."""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from console.celery import app
from notifications import rules, services
from notifications.models import Message
from outages.models import Customer
from tests.factories import OutageFactory, ServiceAreaFactory

from .servers import SmsProvider

COUNT = 20_000
BASE_DIR = Path(__file__).resolve().parents[2]


def _purge():
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("notifications")


def _worker(provider, name):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "NOTIFY_SMS_PROVIDER": "twilio",
        "NOTIFY_SMS_API_URL": provider.url,
        "NOTIFY_SMS_ACCOUNT_SID": provider.sid,
        "NOTIFY_SMS_AUTH_TOKEN": provider.token,
        "NOTIFY_SMS_RATE": "100000",
        "NOTIFY_BATCH_SIZE": "200",
        # An empty quiet window: this test is about crashes, not the clock.
        "NOTIFY_QUIET_START": "00:00",
        "NOTIFY_QUIET_END": "00:00",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "console",
            "worker",
            "-Q",
            "notifications",
            "-c",
            "2",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,  # its own process group: SIGKILL reaches the pool children
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.worker
def test_sigkill_mid_send_loses_nothing_and_sends_nothing_twice(
    transactional_db, postgres_only, supervisor, settings
):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs Redis")
    settings.NOTIFY_QUIET_START = settings.NOTIFY_QUIET_END = "00:00"
    area = ServiceAreaFactory()
    now = timezone.now()
    outage = OutageFactory(areas=[area], started_at=now - timedelta(minutes=5))
    Customer.objects.bulk_create(
        Customer(
            account_number=f"K{i:06d}",
            name=f"Customer {i}",
            phone=f"+1202{i:07d}",
            address=f"{i} Long Road",
            postal_code="20001",
            area=area,
        )
        for i in range(COUNT)
    )
    _purge()
    with SmsProvider(sid="AC-crash", token="crash-token") as provider:
        settings.NOTIFY_PARALLEL_SENDERS = 2
        services.outage_notify_declared(actor=supervisor, now=now, outage=outage)
        first = _worker(provider, "doomed")
        try:
            assert provider.wait_for(COUNT // 4, timeout=120), "the first worker sent nothing"
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        interrupted = len(provider.delivered)
        assert interrupted < COUNT
        # The sweep's job, with the lease over: what the dead worker held goes back.
        services.messages_requeue_stale(now=datetime.now(UTC), lease=timedelta(0))
        _purge()
        for _ in range(2):
            services.tasks.send_batch.delay()
        second = _worker(provider, "survivor")
        try:
            assert provider.wait_for(COUNT, timeout=180), len(provider.delivered)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=60)
    _purge()
    phones = [form["To"] for form in provider.delivered.values()]
    assert len(phones) == COUNT == len(set(phones))  # every customer, once
    statuses = set(Message.objects.values_list("status", flat=True))
    assert statuses == {rules.SENT}
