"""The pages: the outage's progress panel, the declare form's reach, the preview, the
supervisor's sends with pause and cancel, the customer's messages on the live-call card."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import rules, services
from notifications.models import EtrPromise, Message, Notice
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory


@pytest.fixture
def outage(db):
    area = ServiceAreaFactory(code="NG1", name="Northgate")
    now = timezone.now()
    outage = OutageFactory(
        areas=[area], started_at=now - timedelta(hours=1), etr=now + timedelta(hours=2)
    )
    CustomerFactory(area=area, name="Ada Lovelace", account_number="A1", email="ada@example.com")
    CustomerFactory(area=area, name="Alan Turing", account_number="A2")
    return outage


def test_declare_form_shows_the_reach_for_the_areas_typed(supervisor_client, outage):
    page = supervisor_client.get(reverse("outages:declare"))
    assert reverse("notifications:reach") in page.content.decode()
    answer = supervisor_client.get(
        reverse("notifications:reach"), {"kind": "network", "area_codes": "NG1"}
    )
    assert 'data-reach-sms="2"' in answer.content.decode()
    assert 'data-reach-email="1"' in answer.content.decode()


def test_preview_is_the_real_message_for_a_real_customer_then_send(supervisor_client, outage):
    page = supervisor_client.get(
        reverse("notifications:outage_notify", args=[outage.pk]), {"account_number": "A1"}
    )
    text = page.content.decode()
    assert "Hello Ada Lovelace" in text and "Northgate" in text
    assert "SMS segment" in text and "Send to 2 by SMS and 1 by email" in text
    answer = supervisor_client.post(reverse("notifications:outage_notify", args=[outage.pk]))
    assert answer.status_code == 302
    assert Message.objects.filter(status=rules.QUEUED).count() == 3
    panel = supervisor_client.get(reverse("notifications:outage_panel", args=[outage.pk]))
    assert "Outage declared" in panel.content.decode()
    detail = supervisor_client.get(reverse("outages:detail", args=[outage.pk]))
    assert 'hx-trigger="load, every 5s"' in detail.content.decode()


def test_supervisor_pauses_and_cancels_a_send(supervisor_client, supervisor, outage):
    notice = services.outage_notify_declared(actor=supervisor, now=timezone.now(), outage=outage)
    supervisor_client.post(reverse("notifications:notice_pause", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PAUSED
    assert services.messages_claim(now=timezone.now(), limit=10) == []
    supervisor_client.post(reverse("notifications:notice_cancel", args=[notice.pk]))
    assert set(Message.objects.values_list("status", flat=True)) == {rules.CANCELLED}
    page = supervisor_client.get(reverse("notifications:sends"))
    assert "Cancelled" in page.content.decode()


def test_live_call_records_the_etr_told_and_lists_the_customers_messages(
    agent_client, supervisor, outage
):
    ada = outage.areas.get().customers.get(account_number="A1")
    services.outage_notify_declared(actor=supervisor, now=timezone.now(), outage=outage)
    page = agent_client.get(reverse("console:home"), {"customer": ada.pk})
    assert page.status_code == 200
    assert EtrPromise.objects.filter(customer=ada, outage=outage, etr=outage.etr).exists()
    assert "Messages sent to this customer" in page.content.decode()
    assert "Outage declared" in page.content.decode()
