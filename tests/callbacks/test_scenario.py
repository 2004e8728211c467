"""One restoration, two customers, a controlled clock: the whole callback promise end to end.

Filing, restoration and release, then the agent's calls through the callback page and the
team lead's letters queue, checking what each screen and the call logs say."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from callbacks import policy, services
from callbacks.models import CallbackAttempt, CallbackRequest, Letter
from outages import services as outage_services
from tests.factories import CustomerFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db

DECLARED = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
RESTORED = DECLARED + timedelta(hours=3)


def _file(agent_client, *, outage, customer, reason):
    response = agent_client.post(
        reverse("console:file_callback"),
        {
            "outage": outage.pk,
            "customer": customer.pk,
            "name": customer.name,
            "phone": customer.phone,
            "call_reason": reason,
            "category": "outage",
            "subcategory": "no_service",
            "preferred_window": "any",
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    return CallbackRequest.objects.get(phone=customer.phone)


def _log(client, callback, outcome, notes=""):
    return client.post(
        reverse("callbacks:record_attempt", args=[callback.pk]),
        {
            "outcome": outcome,
            "category": "outage",
            "subcategory": "no_service",
            "notes": notes,
            "expected_number": callback.attempts + 1,
            "consent": "yes",  # asked on Answered; ignored for the other outcomes
        },
    )


def _hand_to(callback, agent):
    # Stands in for the agent claiming it from the queue (the workload pages).
    CallbackRequest.objects.filter(pk=callback.pk).update(
        status=policy.ASSIGNED, assigned_to=agent, assigned_at=RESTORED
    )
    callback.refresh_from_db()


def test_no_voicemail_twice_ends_in_a_letter_sent_and_answered_ends_at_once(
    agent_client, agent, team_lead, supervisor
):
    area = ServiceAreaFactory()
    unreachable = CustomerFactory(area=area, address="12 Elm Street", postal_code="20001")
    reachable = CustomerFactory(area=area)
    with time_machine.travel(DECLARED, tick=False):
        outage = outage_services.outage_declare(
            actor=supervisor, now=DECLARED, title="Fibre cut", areas=[area]
        )
    with time_machine.travel(DECLARED + timedelta(minutes=20), tick=False):
        first = _file(agent_client, outage=outage, customer=unreachable, reason="No internet")
        second = _file(agent_client, outage=outage, customer=reachable, reason="TV down")
    assert first.status == second.status == policy.WAITING

    with time_machine.travel(RESTORED, tick=False):
        outage_services.outage_restore(actor=supervisor, now=RESTORED, outage=outage)
        services.callbacks_release_for_outage(outage_id=outage.pk, now=RESTORED)
    first.refresh_from_db()
    assert first.status == policy.QUEUED
    assert first.due_at == RESTORED + timedelta(hours=8)
    _hand_to(first, agent)
    _hand_to(second, agent)

    # First call, 2 hours after restoration: no voicemail -> retry due within 2 hours.
    first_call = RESTORED + timedelta(hours=2)
    with time_machine.travel(first_call, tick=False):
        page = agent_client.get(reverse("callbacks:detail", args=[first.pk]))
        for label in ("Answered", "Left voicemail", "No voicemail", "Wrong number"):
            assert f">{label}</button>" in page.content.decode()
        response = _log(agent_client, first, policy.NO_VOICEMAIL, notes="Rang out")
        assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == policy.RETRY
    assert first.assigned_to == agent
    assert first.due_at == first_call + timedelta(hours=2)

    # The retry, 1 h 50 later: no voicemail again -> a letter to send.
    second_call = first_call + timedelta(hours=1, minutes=50)
    with time_machine.travel(second_call, tick=False):
        assert _log(agent_client, first, policy.NO_VOICEMAIL).status_code == 302
    first.refresh_from_db()
    assert first.status == policy.LETTER
    letter = Letter.objects.get(callback=first)
    assert letter.produced_at == second_call

    # The other customer answers the first call.
    with time_machine.travel(first_call + timedelta(minutes=5), tick=False):
        assert _log(agent_client, second, policy.ANSWERED).status_code == 302
    second.refresh_from_db()
    assert second.status == policy.DONE

    subjects = {
        callback.pk: list(
            CallbackAttempt.objects.filter(callback=callback)
            .order_by("number")
            .values_list("subject", flat=True)
        )
        for callback in (first, second)
    }
    assert subjects[first.pk] == ["System Outage Return Call \u2013 No Voicemail"] * 2
    assert subjects[second.pk] == ["System Outage Return Call \u2013 Answered"]

    # The team lead prints the letter and marks it sent the next morning.
    lead = Client()
    lead.force_login(team_lead)
    queue = lead.get(reverse("callbacks:letters")).content.decode()
    assert unreachable.name in queue and reachable.name not in queue
    printed = lead.get(reverse("callbacks:letter_print", args=[letter.pk])).content.decode()
    assert "12 Elm Street" in printed and "No internet" in printed
    sent_at = second_call + timedelta(hours=14)
    with time_machine.travel(sent_at, tick=False):
        response = lead.post(reverse("callbacks:letter_mark_sent", args=[letter.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    letter.refresh_from_db()
    assert first.status == policy.LETTER_SENT
    assert letter.sent_at == sent_at and letter.sent_by == team_lead

    timeline = [
        (e.from_status, e.to_status)
        for e in first.events.order_by("at", "id")
        if e.from_status != e.to_status
    ]
    assert timeline == [
        ("", policy.WAITING),
        (policy.WAITING, policy.QUEUED),
        (policy.ASSIGNED, policy.RETRY),
        (policy.RETRY, policy.LETTER),
        (policy.LETTER, policy.LETTER_SENT),
    ]
