"""Events to messages to real servers: email to a loopback SMTP server, SMS to a local HTTP
server speaking the provider's contract; receipts and STOP back through signed webhooks."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse

from notifications import rules, services
from notifications.models import Message, OptOut
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory

# 15:00 UTC = 10:00 in New York: outside quiet hours.
DAYTIME = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
# 03:00 UTC = 22:00 in New York: quiet hours.
NIGHT = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def outage_with_customers(db):
    area = ServiceAreaFactory(name="Northgate")
    other = ServiceAreaFactory(name="Elsewhere")
    outage = OutageFactory(
        areas=[area], started_at=DAYTIME - timedelta(hours=1), etr=DAYTIME + timedelta(hours=3)
    )
    inside = [
        CustomerFactory(area=area, name="Ada Lovelace", email="ada@example.com"),
        CustomerFactory(area=area, name="Alan Turing", email=""),
    ]
    CustomerFactory(area=other, email="far@example.com")  # not covered
    CustomerFactory(area=area, status="disconnected_requested", email="gone@example.com")
    return outage, inside


def _link(email):
    return re.search(r"<([^>]+)>", "".join(str(email["List-Unsubscribe"]).split())).group(1)


def _send_all(now):
    while services.messages_send_batch(now=now, clock=lambda: now):
        pass


def test_declared_reaches_area_customers_by_sms_and_email(
    outage_with_customers, smtp_server, sms_server, supervisor, settings
):
    outage, (ada, alan) = outage_with_customers
    settings.NOTIFY_PUBLIC_URL = "https://console.example.org"
    with time_machine.travel(DAYTIME, tick=False):
        notice = services.outage_notify_declared(actor=supervisor, now=DAYTIME, outage=outage)
        assert notice.recipients == 3  # two phones, one email
        _send_all(DAYTIME)

    texts = sorted(r["form"]["To"] for r in sms_server.requests)
    assert texts == sorted([ada.phone, alan.phone])
    form = sms_server.requests[0]["form"]
    assert form["From"] == settings.NOTIFY_SMS_FROM
    assert form["StatusCallback"] == "https://console.example.org/notifications/sms/status/"
    assert "Northgate" in form["Body"] and form["Body"].endswith("Reply STOP to opt out.")
    assert rules.sms_segments(form["Body"])[2] == 1

    [email] = smtp_server.messages
    assert email["To"] == "ada@example.com"
    assert email["Subject"] == "Service outage in Northgate"
    unsubscribe = _link(email)
    assert unsubscribe.startswith("https://console.example.org/notifications/unsubscribe/")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = email.get_content()
    assert "Hello Ada Lovelace" in body and unsubscribe in body
    assert set(Message.objects.values_list("status", flat=True)) == {rules.SENT}


def test_unsubscribe_link_opts_out_and_later_messages_skip_the_address(
    outage_with_customers, smtp_server, sms_server, supervisor, client
):
    outage, (ada, _) = outage_with_customers
    with time_machine.travel(DAYTIME, tick=False):
        services.outage_notify_declared(actor=supervisor, now=DAYTIME, outage=outage)
        _send_all(DAYTIME)
    link = _link(smtp_server.messages[0])
    path = urlsplit(link).path
    page = client.get(path)
    assert page.status_code == 200 and b"Stop these messages" in page.content
    assert client.post(path).status_code == 200  # one-click: no CSRF cookie needed
    assert OptOut.objects.filter(channel="email", address="ada@example.com").exists()
    assert client.get(path[:-5] + "xxxx/").status_code == 400  # forged token

    later = DAYTIME + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        outage.status, outage.restored_at = "restored", later
        outage.save(update_fields=["status", "restored_at"])
        services.outage_restored(outage_id=outage.pk, now=later)
        _send_all(later)
    restored_email = Message.objects.get(notice__event="restored", channel="email")
    assert restored_email.status == rules.OPTED_OUT
    assert len(smtp_server.messages) == 1


def _signed_post(client, settings, name, data):
    url = settings.NOTIFY_PUBLIC_URL.rstrip("/") + reverse(name)
    signature = rules.request_signature(secret=settings.NOTIFY_SMS_AUTH_TOKEN, url=url, params=data)
    return client.post(reverse(name), data, HTTP_X_TWILIO_SIGNATURE=signature)


def test_receipts_and_stop_arrive_on_signed_webhooks(
    outage_with_customers, sms_server, smtp_server, supervisor, client, settings
):
    outage, (ada, alan) = outage_with_customers
    with time_machine.travel(DAYTIME, tick=False):
        services.outage_notify_declared(actor=supervisor, now=DAYTIME, outage=outage)
        _send_all(DAYTIME)
    message = Message.objects.get(channel="sms", address=ada.phone)
    assert message.provider_id == f"SMmessage-{message.pk}"

    forged = client.post(
        reverse("notifications:sms_status"),
        {"MessageSid": message.provider_id, "MessageStatus": "delivered"},
        HTTP_X_TWILIO_SIGNATURE="bad",
    )
    assert forged.status_code == 403
    data = {"MessageSid": message.provider_id, "MessageStatus": "delivered"}
    assert _signed_post(client, settings, "notifications:sms_status", data).status_code == 204
    message.refresh_from_db()
    assert message.status == rules.DELIVERED and message.delivered_at is not None
    # A late "sent" never moves it back.
    data = {"MessageSid": message.provider_id, "MessageStatus": "sent"}
    _signed_post(client, settings, "notifications:sms_status", data)
    message.refresh_from_db()
    assert message.status == rules.DELIVERED

    data = {"From": alan.phone, "Body": " stop ", "To": settings.NOTIFY_SMS_FROM}
    answer = _signed_post(client, settings, "notifications:sms_inbound", data)
    assert answer.status_code == 200 and b"<Response/>" in answer.content
    assert OptOut.objects.filter(channel="sms", address=alan.phone, source="sms_stop").exists()


def test_provider_refusal_fails_the_message_and_the_rest_go(
    outage_with_customers, sms_server, smtp_server, supervisor
):
    outage, (ada, alan) = outage_with_customers
    sms_server.fail_to.add(alan.phone)
    with time_machine.travel(DAYTIME, tick=False):
        services.outage_notify_declared(actor=supervisor, now=DAYTIME, outage=outage)
        _send_all(DAYTIME)
    failed = Message.objects.get(address=alan.phone)
    assert failed.status == rules.FAILED and "Invalid To" in failed.error
    assert Message.objects.get(address=ada.phone).status == rules.SENT


def test_quiet_hours_hold_sms_until_morning_but_email_goes(
    outage_with_customers, sms_server, smtp_server, supervisor
):
    outage, (ada, _) = outage_with_customers
    outage.started_at = NIGHT - timedelta(hours=1)
    outage.save(update_fields=["started_at"])
    with time_machine.travel(NIGHT, tick=False):
        services.outage_notify_declared(actor=supervisor, now=NIGHT, outage=outage)
        _send_all(NIGHT)
    assert sms_server.requests == []
    assert len(smtp_server.messages) == 1
    held = Message.objects.filter(channel="sms")
    # 08:00 in New York the next morning is 13:00 UTC.
    assert {m.not_before for m in held} == {datetime(2026, 12, 1, 13, 0, tzinfo=UTC)}
    morning = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    with time_machine.travel(morning, tick=False):
        _send_all(morning)
    assert len(sms_server.delivered) == 2


def test_a_stale_claim_is_resent_under_the_same_idempotency_key(
    outage_with_customers, sms_server, smtp_server, supervisor
):
    outage, _ = outage_with_customers
    with time_machine.travel(DAYTIME, tick=False):
        services.outage_notify_declared(actor=supervisor, now=DAYTIME, outage=outage)
        _send_all(DAYTIME)
    # A worker that sent and died before recording it: the rows say "sending".
    Message.objects.filter(channel="sms").update(status=rules.SENDING, claimed_at=DAYTIME)
    later = DAYTIME + timedelta(minutes=10)
    assert services.messages_requeue_stale(now=later) == 2
    _send_all(later)
    assert len(sms_server.requests) == 4  # sent again...
    assert len(sms_server.delivered) == 2  # ...but delivered once each
