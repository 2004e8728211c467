"""CRM endpoints: call logs since a cursor (the CSV export's rows), letters, callbacks by
status and channel, and callbacks filed by another system (channel api)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callbacks import policy
from callbacks.models import CallbackRequest, Letter
from contact import services as contact_services
from tests.api.conftest import bearer
from tests.callbacks.factories import due_callback
from tests.factories import CoverageFactory, CustomerFactory, OutageFactory

pytestmark = pytest.mark.django_db


def _attempt(agent, *, outcome=policy.NO_VOICEMAIL, when=None):
    callback = due_callback(agent=agent)
    contact_services.callback_record_attempt(
        actor=agent,
        now=when or timezone.now(),
        callback=callback,
        outcome=outcome,
        category="outage",
        subcategory="no_service",
        notes="Rang twice",
    )
    return callback


def test_call_logs_since_a_cursor_page_by_page(client, crm_key, agent):
    _, key = crm_key
    callbacks = [_attempt(agent, when=timezone.now() - timedelta(minutes=n)) for n in (3, 2, 1)]
    first = client.get(reverse("api:crm_call_logs"), {"limit": 2}, headers=bearer(key)).json()
    assert [row["callback_id"] for row in first["results"]] == [c.pk for c in callbacks[:2]]
    row = first["results"][0]
    assert row["subject"] == "System Outage Return Call \u2013 No Voicemail"
    assert row["outcome"] == "No voicemail" and row["category"] == "Service outage"
    assert row["agent"] == agent.username and row["notes"] == "Rang twice"
    assert row["channel"] == "agent" and row["attempted_at"].endswith("Z")
    rest = client.get(
        reverse("api:crm_call_logs"), {"cursor": first["next_cursor"]}, headers=bearer(key)
    ).json()
    assert [row["callback_id"] for row in rest["results"]] == [callbacks[2].pk]
    empty = client.get(
        reverse("api:crm_call_logs"), {"cursor": rest["next_cursor"]}, headers=bearer(key)
    ).json()
    assert empty == {"results": [], "next_cursor": rest["next_cursor"]}


def test_letters_to_send(client, crm_key, agent):
    _, key = crm_key
    callback = _attempt(agent, outcome=policy.WRONG_NUMBER)
    letter = Letter.objects.get(callback=callback)
    body = client.get(reverse("api:crm_letters"), headers=bearer(key)).json()
    assert [row["id"] for row in body["results"]] == [letter.pk]
    assert body["results"][0]["status"] == "to_send"
    sent = client.get(reverse("api:crm_letters"), {"status": "sent"}, headers=bearer(key))
    assert sent.json()["results"] == []
    bad = client.get(reverse("api:crm_letters"), {"status": "lost"}, headers=bearer(key))
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_callbacks_by_status_and_channel(client, crm_key, agent):
    _, key = crm_key
    queued = due_callback()
    web = due_callback(channel=policy.WEB_CHANNEL)
    held = due_callback(agent=agent)
    url = reverse("api:crm_callbacks")
    body = client.get(url, {"status": ["queued"]}, headers=bearer(key)).json()
    assert {row["id"] for row in body["results"]} == {queued.pk, web.pk}
    both = client.get(url, {"status": ["queued", "assigned"]}, headers=bearer(key)).json()
    assert {row["id"] for row in both["results"]} == {queued.pk, web.pk, held.pk}
    by_channel = client.get(url, {"channel": "web"}, headers=bearer(key)).json()
    assert [row["id"] for row in by_channel["results"]] == [web.pk]


def test_another_system_files_a_callback_with_channel_api(client, crm_key):
    api_key, key = crm_key
    coverage = CoverageFactory(postal_code="N1A1A1")
    outage = OutageFactory(areas=[coverage.area])
    customer = CustomerFactory(area=coverage.area, account_number="ACC-9")
    body = {"name": "Sam", "phone": "202-555-0155", "reason": "Router", "account_number": "ACC-9"}
    response = client.post(
        reverse("api:crm_callbacks"),
        body,
        content_type="application/json",
        headers={**bearer(key), "Idempotency-Key": "crm-1"},
    )
    assert response.status_code == 201, response.content
    callback = CallbackRequest.objects.get()
    assert callback.channel == policy.API_CHANNEL and callback.created_by == api_key.user
    assert callback.outage == outage and callback.customer == customer
    retry = client.post(
        reverse("api:crm_callbacks"),
        body,
        content_type="application/json",
        headers={**bearer(key), "Idempotency-Key": "crm-1"},
    )
    assert retry.status_code == 200 and retry.json() == response.json()
    assert CallbackRequest.objects.count() == 1
    closed = client.post(
        reverse("api:crm_callbacks"),
        {**body, "outage_id": 999999},
        content_type="application/json",
        headers=bearer(key),
    )
    assert closed.status_code == 400 and "No such outage" in closed.json()["detail"]


def test_an_ivr_key_cannot_file_through_the_crm(client, ivr_key):
    _, key = ivr_key
    response = client.post(
        reverse("api:crm_callbacks"), {}, content_type="application/json", headers=bearer(key)
    )
    assert response.status_code == 403
