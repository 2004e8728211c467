"""The "callback filed" message of a callback the customer filed themselves (status page or
IVR) carries the signed link to cancel it or correct the number; an agent's does not. Sent to
the loopback SMTP server and the local SMS provider, then the link is followed."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine

from callbacks import policy
from contact import links
from notifications import services
from tests.factories import CallbackFactory, CustomerFactory, OutageFactory, ServiceAreaFactory

# 15:00 UTC = 10:00 in New York: outside quiet hours.
DAYTIME = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
LINK = re.compile(r"https://console\.example\.org(/status/callback/[^/\s]+/)")


@pytest.fixture
def filed(db, settings):
    settings.NOTIFY_PUBLIC_URL = "https://console.example.org"
    area = ServiceAreaFactory(name="Northgate")
    outage = OutageFactory(
        areas=[area], started_at=DAYTIME - timedelta(hours=1), etr=DAYTIME + timedelta(hours=3)
    )
    customer = CustomerFactory(area=area, name="Ada Lovelace", email="ada@example.com")

    def file(channel):
        return CallbackFactory(
            outage=outage,
            customer=customer,
            phone=customer.phone,
            channel=channel,
            status=policy.WAITING,
            created_at=DAYTIME,
        )

    return file


def _notify_and_send(callback):
    with time_machine.travel(DAYTIME, tick=False):
        services.callback_filed_notify(callback_id=callback.pk, now=DAYTIME)
        while services.messages_send_batch(now=DAYTIME, clock=lambda: DAYTIME):
            pass


@pytest.mark.parametrize("channel", [policy.WEB_CHANNEL, policy.IVR_CHANNEL])
def test_the_filed_message_carries_the_signed_self_service_link(
    filed, channel, smtp_server, sms_server, client
):
    callback = filed(channel)
    _notify_and_send(callback)

    [sms] = sms_server.requests
    text = sms["form"]["Body"]
    assert "Cancel or change number: https://console.example.org/status/callback/" in text
    assert text.endswith("Reply STOP to opt out.")
    [email] = smtp_server.messages
    body = email.get_payload(decode=True).decode() if not email.is_multipart() else ""
    body = body or email.get_payload()[0].get_payload(decode=True).decode()
    assert "Cancel the request or change the number we call: https://" in body

    paths = {LINK.search(text).group(1), LINK.search(body).group(1)}
    assert len(paths) == 1
    [path] = paths
    token = urlsplit(path).path.rstrip("/").rsplit("/", 1)[1]
    assert links.callback_id_from(token) == callback.pk
    # The link opens the customer's page for this callback on the status page.
    with time_machine.travel(DAYTIME + timedelta(minutes=5), tick=False):
        page = client.get(path)
    assert page.status_code == 200
    assert "Cancel" in page.content.decode()


def test_an_agents_callback_has_no_self_service_link(filed, smtp_server, sms_server):
    _notify_and_send(filed(policy.AGENT_CHANNEL))
    [sms] = sms_server.requests
    assert "/status/callback/" not in sms["form"]["Body"]
    assert all("/status/callback/" not in str(m) for m in smtp_server.messages)


def test_a_forged_token_names_no_callback():
    assert links.callback_id_from("not-a-token") is None
    assert links.callback_id_from(links.token_for(7) + "x") is None
