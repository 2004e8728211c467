"""Erasing one customer's personal data on request: the directory row, their callbacks (open
ones cancelled), attempts' notes, letters and refund review notes, with one audit row."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command

from callbacks import policy
from callbacks.models import CallbackAttempt, CallbackEvent, CallbackRequest, Letter
from core.models import AuditEntry
from outages import services
from outages.models import Customer, RefundReview
from tests.factories import CallbackFactory, CustomerFactory, OutageFactory

T0 = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ada Lovelace", phone="+12025550111", address="12 Elm Street")


@pytest.mark.django_db
def test_erase_customer_command(customer, supervisor, agent):
    outage = OutageFactory()
    done = CallbackFactory(
        customer=customer,
        outage=outage,
        status=policy.DONE,
        notes="Prefers evenings",
        due_at=T0,
        closed_at=T0,
        updated_at=T0,
    )
    CallbackAttempt.objects.create(
        callback=done,
        number=1,
        agent=agent,
        at=T0,
        outcome=policy.ANSWERED,
        subject="System Outage Return Call – Answered",
        notes="Spoke to Ada",
    )
    Letter.objects.create(
        callback=done, name="Ada Lovelace", address="12 Elm Street", produced_at=T0
    )
    waiting = CallbackFactory(customer=customer, status=policy.WAITING, updated_at=T0)
    # Filed by hand (no directory link) with the same phone: theirs too.
    by_hand = CallbackFactory(phone="+12025550111", status=policy.WAITING, updated_at=T0)
    someone_else = CallbackFactory(status=policy.WAITING, updated_at=T0, name="Bob Other")
    RefundReview.objects.create(
        customer=customer,
        outage=outage,
        requested_by=agent,
        requested_at=T0,
        notes="Ada asked for a credit",
    )

    erased_at = T0 + timedelta(days=3)
    with time_machine.travel(erased_at, tick=False):
        call_command(
            "erase_customer", customer.account_number, by=supervisor.username, reason="DSR-42"
        )

    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.address) == (services.ERASED_NAME, "", "")
    assert customer.account_number  # the system of record's key stays
    for callback in CallbackRequest.objects.filter(pk__in=[done.pk, waiting.pk, by_hand.pk]):
        assert callback.name == policy.REMOVED_NAME and callback.phone == ""
        assert callback.notes == "" and callback.customer_id is None
        assert callback.personal_data_removed_at == erased_at
    assert CallbackRequest.objects.get(pk=waiting.pk).status == policy.CANCELLED
    assert CallbackRequest.objects.get(pk=by_hand.pk).status == policy.CANCELLED
    assert CallbackRequest.objects.get(pk=done.pk).status == policy.DONE
    assert CallbackEvent.objects.filter(to_status=policy.CANCELLED).count() == 2
    assert CallbackAttempt.objects.get().notes == ""
    assert Letter.objects.get().address == ""
    assert RefundReview.objects.get().notes == ""
    someone_else.refresh_from_db()
    assert someone_else.name == "Bob Other" and someone_else.status == policy.WAITING

    audit = AuditEntry.objects.get(action="customer.erased")
    assert audit.actor == supervisor and audit.at == erased_at
    assert audit.detail["reason"] == "DSR-42"
    assert audit.detail["counts"]["callbacks.subscribers"]["callbacks"] == 3
    assert audit.detail["counts"]["callbacks.subscribers"]["cancelled"] == 2
    assert "Ada" not in str(audit.detail) and "Elm" not in audit.subject


@pytest.mark.django_db
def test_erase_refuses_unknown_customer_or_actor(customer, supervisor):
    with pytest.raises(CommandError, match="No customer"):
        call_command("erase_customer", "NOPE", by=supervisor.username, reason="DSR-1")
    with pytest.raises(CommandError, match="No user"):
        call_command("erase_customer", customer.account_number, by="ghost", reason="DSR-1")
    assert Customer.objects.get(pk=customer.pk).name == "Ada Lovelace"
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_reviewed_refund_notes_expire_with_retention(customer, agent):
    outage = OutageFactory()
    review = RefundReview.objects.create(
        customer=customer,
        outage=outage,
        requested_by=agent,
        requested_at=T0,
        status=RefundReview.Status.REVIEWED,
        reviewed_at=T0,
        notes="Credit 2 days",
    )
    assert services.refund_reviews_anonymise_before(cutoff=T0, now=T0) == 0
    assert services.refund_reviews_anonymise_before(cutoff=T0 + timedelta(days=1), now=T0) == 1
    review.refresh_from_db()
    assert review.notes == "" and review.status == RefundReview.Status.REVIEWED
