"""Every callback records how it reached us (agent, IVR, web, API); the queue, the queue board
and the call-log export show it, and team leads filter the board by it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from callbacks import policy, services
from callbacks.models import CallbackRequest
from contact import changes
from tests.callbacks.factories import due_callback
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_filing_is_by_an_agent_unless_told(agent):
    filed = services.callback_file(
        actor=agent,
        now=timezone.now(),
        outage=None,
        name="A",
        phone="+12025550001",
        call_reason="x",
    )
    assert filed.callback.channel == policy.AGENT_CHANNEL
    ivr = services.callback_file(
        actor=agent,
        now=timezone.now(),
        outage=None,
        name="B",
        phone="+12025550002",
        call_reason="y",
        channel=policy.IVR_CHANNEL,
    )
    assert ivr.callback.channel == policy.IVR_CHANNEL


def test_the_board_shows_the_channel_and_filters_by_it(lead_client):
    web = due_callback(channel=policy.WEB_CHANNEL, customer=CustomerFactory(name="Webby Caller"))
    agent_filed = due_callback(customer=CustomerFactory(name="Agent Caller"))
    page = lead_client.get(reverse("workload:board")).content.decode()
    assert "Webby Caller" in page and "Agent Caller" in page
    assert '<option value="web">Web</option>' in page
    only_web = lead_client.get(reverse("workload:board"), {"channel": "web"}).content.decode()
    assert web.name in only_web and agent_filed.name not in only_web
    assert "?channel=web" in only_web  # the board's refresh keeps the filter
    nonsense = lead_client.get(reverse("workload:board"), {"channel": "fax"})
    assert nonsense.status_code == 200 and agent_filed.name in nonsense.content.decode()


def test_the_queue_shows_the_channel(agent_client):
    due_callback(channel=policy.IVR_CHANNEL)
    page = agent_client.get(reverse("callbacks:queue")).content.decode()
    assert "<td>IVR</td>" in page


def test_cancel_and_change_phone_leave_events(agent, team_lead):
    callback = due_callback()
    changes.callback_change_phone(
        actor=agent, now=timezone.now(), callback=callback, phone="+12025550999", reason="Fixed"
    )
    cancelled = changes.callback_cancel(
        actor=team_lead, now=timezone.now(), callback=callback, reason="other", note="Not needed"
    )
    assert cancelled.status == policy.CANCELLED and cancelled.closed_at is not None
    reasons = list(callback.events.values_list("reason", flat=True))
    assert any("number changed" in r for r in reasons)
    assert any("Not needed" in r for r in reasons)
    with pytest.raises(services.CallbackError):
        changes.callback_cancel(
            actor=team_lead, now=timezone.now(), callback=callback, reason="customer_asked"
        )
    with pytest.raises(services.CallbackError):
        changes.callback_cancel(now=timezone.now(), callback=due_callback(), reason="resolved")
    assert CallbackRequest.objects.get(pk=callback.pk).phone == "+12025550999"
