"""/metrics for Prometheus: who may read it, what the product's gauges say, and the task
counters a real worker keeps in Redis through Celery's signals."""

import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from callbacks import policy
from callbacks.models import Letter
from console.celery import app
from core import metrics
from outages.models import Escalation
from tests.conftest import REQUIRE_SERVICES
from tests.factories import CallbackFactory, OutageFactory

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
TOKEN = "t0k3n-for-the-metrics-tests"


@app.task(name="tests.metrics.explode", acks_late=True)
def explode():
    raise RuntimeError("boom (a test task that always fails)")


@app.task(name="tests.metrics.retry_once", bind=True, acks_late=True, max_retries=1)
def retry_once(self):
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return "ok"


def _value(text, name, labels=""):
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    assert match, f"{name}{labels} not in the metrics"
    return float(match.group(1))


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    return TOKEN


def _scrape(client, token=TOKEN):
    return client.get(reverse("metrics"), headers={"Authorization": f"Bearer {token}"})


@pytest.mark.django_db
def test_refused_without_configuration_or_with_a_wrong_token(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    assert _scrape(client, "anything").status_code == 403
    settings.METRICS_TOKEN = TOKEN
    assert client.get(reverse("metrics")).status_code == 403
    assert _scrape(client, "wrong").status_code == 403
    assert _scrape(client).status_code == 200


@pytest.mark.django_db
def test_allowed_network_without_token(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get(reverse("metrics"), REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get(reverse("metrics"), REMOTE_ADDR="192.168.1.9").status_code == 403


@pytest.mark.django_db
def test_product_gauges(client, token, supervisor):
    outage = OutageFactory()
    CallbackFactory(outage=outage, status=policy.WAITING)
    CallbackFactory(outage=outage, status=policy.QUEUED, due_at=NOW - timedelta(hours=3))
    CallbackFactory(outage=outage, status=policy.RETRY, due_at=NOW - timedelta(minutes=10))
    CallbackFactory(outage=outage, status=policy.QUEUED, due_at=NOW + timedelta(minutes=30))
    CallbackFactory(outage=outage, status=policy.QUEUED, due_at=NOW + timedelta(hours=5))
    lettered = CallbackFactory(outage=outage, status=policy.LETTER, due_at=NOW)
    Letter.objects.create(callback=lettered, name="A", produced_at=NOW)
    Escalation.objects.create(outage=outage, reason=Escalation.Reason.PAST_ETR, raised_at=NOW)

    with time_machine.travel(NOW, tick=False):
        response = _scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert _value(text, "console_callbacks", '{status="waiting"}') == 1
    assert _value(text, "console_callbacks", '{status="queued"}') == 3
    assert _value(text, "console_callbacks", '{status="done"}') == 0
    assert _value(text, "console_callbacks_overdue") == 2
    assert _value(text, "console_callbacks_at_risk") == 1
    assert _value(text, "console_callbacks_oldest_overdue_seconds") == 3 * 3600
    assert _value(text, "console_letters_to_send") == 1
    assert _value(text, "console_outages", '{status="investigating"}') == 1
    assert _value(text, "console_escalations_open", '{reason="past_etr"}') == 1
    # django-prometheus: request latency by view.
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text


def test_apps_provide_their_own_gauges():
    """A new app adds ``<app>/metrics.py`` with ``collect(now=...)``: nothing else changes."""
    modules = {collect.__module__ for collect in metrics.app_collectors()}
    assert {"callbacks.metrics", "outages.metrics"} <= modules


def test_tasks_route_to_a_queue_per_kind_of_work():
    route = app.amqp.router.route
    assert route({}, "notifications.tasks.send")["queue"].name == "notifications"
    assert route({}, "workload.tasks.distribute")["queue"].name == "workload"
    assert route({}, "callbacks.tasks.sweep")["queue"].name == "callbacks"
    assert route({}, "outages.tasks.escalation_sweep")["queue"].name == "callbacks"


@pytest.fixture
def redis_metrics():
    if not django_settings.CELERY_BROKER_URL.startswith("redis"):
        if REQUIRE_SERVICES:
            pytest.fail("needs the Redis broker")
        pytest.skip("needs a Redis broker (CELERY_BROKER_URL)")
    client = metrics.store()
    keys = (metrics.FAILURES, metrics.RETRIES, metrics.LAST_SUCCESS)
    client.delete(*keys)
    yield client
    client.delete(*keys)


def _wait_until(condition, *, timeout, what):
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        pause.wait(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.worker
def test_worker_counts_failures_retries_and_successes(
    redis_metrics, celery_worker_on_broker, client, token
):
    explode.delay()
    retry_once.delay()
    _wait_until(
        lambda: (
            redis_metrics.hget(metrics.LAST_SUCCESS, retry_once.name)
            and redis_metrics.hget(metrics.FAILURES, explode.name)
        ),
        timeout=60,
        what="the worker to run both tasks",
    )
    text = _scrape(client).content.decode()
    labels = f'{{task="{explode.name}"}}'
    assert _value(text, "console_celery_task_failures_total", labels) == 1
    labels = f'{{task="{retry_once.name}"}}'
    assert _value(text, "console_celery_task_retries_total", labels) == 1
    last = _value(text, "console_celery_task_last_success_timestamp_seconds", labels)
    assert abs(last - time.time()) < 120
    assert _value(text, "console_broker_up") == 1


@pytest.mark.django_db
def test_queue_depth_from_the_broker(redis_metrics, client, token):
    app.send_task("workload.tasks.not_consumed_here")
    try:
        text = _scrape(client).content.decode()
        assert _value(text, "console_celery_queue_length", '{queue="workload"}') >= 1
        assert _value(text, "console_broker_up") == 1
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("workload")
