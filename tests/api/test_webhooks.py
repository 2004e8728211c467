"""Webhooks against a real HTTP receiver on loopback that fails its first attempts: every
event is delivered once, in order per callback, signed; the delivery log shows it all."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from api import keys, services
from api.models import WebhookDelivery
from callbacks import policy
from callbacks import services as callback_services
from contact import changes as contact_changes
from outages import services as outage_services
from tests.factories import ServiceAreaFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


class Receiver:
    """A real HTTP server in a thread. Answers 500 to the first ``fail_first`` requests."""

    def __init__(self, fail_first):
        self.fail_first = fail_first
        self.requests = []  # (status answered, headers, body)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if len(receiver.requests) < receiver.fail_first else 204
                receiver.requests.append((status, dict(self.headers), body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def accepted(self):
        return [(h, b) for status, h, b in self.requests if status == 204]


@pytest.fixture
def receiver():
    with Receiver(fail_first=3) as running:
        yield running


def _deliver_until_quiet(now, rounds=20):
    """Run the outbox as the beat would, the clock moving to each next retry."""
    for _ in range(rounds):
        services.webhooks_deliver_due(now=now)
        pending = WebhookDelivery.objects.filter(status=WebhookDelivery.PENDING)
        if not pending.exists():
            return now
        now = max(now, min(d.next_attempt_at for d in pending))
    return now


def test_delivered_once_in_order_per_callback_and_signed(receiver, supervisor, agent):
    subscription, secret = services.webhook_subscribe(
        actor=supervisor, now=NOW, name="CRM", url=receiver.url, topics=["callbacks", "outages"]
    )
    area = ServiceAreaFactory()
    outage = outage_services.outage_declare(
        actor=supervisor, now=NOW, title="Cut", areas=[area], started_at=NOW
    )
    first = callback_services.callback_file(
        actor=agent, now=NOW, outage=outage, name="A", phone="+12025550001", call_reason="x"
    ).callback
    second = callback_services.callback_file(
        actor=agent, now=NOW, outage=outage, name="B", phone="+12025550002", call_reason="y"
    ).callback
    outage_services.outage_restore(actor=supervisor, now=NOW + timedelta(minutes=5), outage=outage)
    callback_services.callbacks_release_for_outage(
        outage_id=outage.pk, now=NOW + timedelta(minutes=5)
    )
    contact_changes.callback_cancel(
        actor=supervisor, now=NOW + timedelta(minutes=6), callback=first, reason="customer_asked"
    )

    assert services.webhooks_collect(now=NOW) == 7  # 2 outage rows + 5 callback events
    assert services.webhooks_collect(now=NOW) == 0  # the cursor moved: nothing twice
    _deliver_until_quiet(NOW)

    assert len(receiver.requests) == 7 + 3  # three failures, each retried
    delivered = receiver.accepted()
    ids = [json.loads(body)["id"] for _, body in delivered]
    assert len(ids) == len(set(ids)) == 7  # each once
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.DELIVERED).count() == 7

    for headers, body in delivered:
        assert keys.verify(
            secret=secret,
            header=headers[keys.SIGNATURE_HEADER],
            body=body,
            now_timestamp=int(NOW.timestamp()) + 3600,
            tolerance=7200,
        )
        assert not keys.verify(
            secret="wrong",
            header=headers[keys.SIGNATURE_HEADER],
            body=body,
            now_timestamp=int(NOW.timestamp()),
            tolerance=7200,
        )

    def story(callback):
        return [
            (p["change"]["from_status"], p["change"]["to_status"])
            for p in (json.loads(b) for _, b in delivered)
            if p.get("callback", {}).get("id") == callback.pk
        ]

    assert story(first) == [
        ("", policy.WAITING),
        (policy.WAITING, policy.QUEUED),
        (policy.QUEUED, policy.CANCELLED),
    ]
    assert story(second) == [("", policy.WAITING), (policy.WAITING, policy.QUEUED)]
    outage_events = [json.loads(b) for _, b in delivered if b"outage.changed" in b]
    assert [e["update"]["status"] for e in outage_events] == ["investigating", "restored"]
    retried = WebhookDelivery.objects.filter(attempts__gt=1)
    assert retried.exists() and all(d.last_status_code == 204 for d in retried)


def test_a_receiver_that_never_answers_is_given_up_after_the_last_attempt(supervisor, agent):
    with Receiver(fail_first=1000) as down:
        services.webhook_subscribe(
            actor=supervisor, now=NOW, name="Down", url=down.url, topics=["callbacks"]
        )
        callback_services.callback_file(
            actor=agent, now=NOW, outage=None, name="A", phone="+12025550003", call_reason="x"
        )
        services.webhooks_collect(now=NOW)
        _deliver_until_quiet(NOW, rounds=keys.MAX_ATTEMPTS + 2)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.FAILED
    assert delivery.attempts == keys.MAX_ATTEMPTS == len(down.requests)
    assert delivery.last_error == "HTTP 500"


def test_retry_waits_grow(supervisor):
    assert [keys.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert keys.retry_delay(30) == timedelta(hours=1)


def test_the_delivery_log_is_visible_to_supervisors(client, supervisor, agent, receiver):
    subscription, _ = services.webhook_subscribe(
        actor=supervisor, now=NOW, name="CRM", url=receiver.url, topics=["callbacks"]
    )
    callback_services.callback_file(
        actor=agent, now=NOW, outage=None, name="A", phone="+12025550004", call_reason="x"
    )
    services.webhooks_collect(now=NOW)
    services.webhooks_deliver_due(now=NOW)
    client.force_login(supervisor)
    page = client.get(reverse("integrations:webhook_detail", args=[subscription.pk]))
    assert page.status_code == 200
    assert "callback.filed" in page.content.decode() and "HTTP 500" in page.content.decode()
    client.force_login(agent)
    assert (
        client.get(reverse("integrations:webhook_detail", args=[subscription.pk])).status_code
        == 403
    )
