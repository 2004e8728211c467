"""Erasing a customer on request reaches contact's own table: the agents' notes of the
customer's inbound calls go, the calls themselves stay (who took them, when, about which
outage), and someone else's notes are untouched."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from contact.models import InboundCall
from core.models import AuditEntry
from tests.factories import CustomerFactory, OutageFactory

T0 = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_erasure_removes_the_notes_of_the_customers_inbound_calls(supervisor, agent):
    customer, other = CustomerFactory(name="Ada Lovelace"), CustomerFactory(name="Bob Other")
    outage = OutageFactory()
    theirs = InboundCall.objects.create(
        customer=customer, outage=outage, agent=agent, at=T0, note="Ada says the line hums"
    )
    kept = InboundCall.objects.create(customer=other, agent=agent, at=T0, note="Call back later")

    with time_machine.travel(T0, tick=False):
        call_command(
            "erase_customer", customer.account_number, by=supervisor.username, reason="DSR-7"
        )

    theirs.refresh_from_db()
    kept.refresh_from_db()
    assert theirs.note == "" and theirs.outage == outage and theirs.agent == agent
    assert kept.note == "Call back later"
    audit = AuditEntry.objects.get(action="customer.erased")
    assert audit.detail["counts"]["contact.subscribers"] == {"inbound_call_notes": 1}
