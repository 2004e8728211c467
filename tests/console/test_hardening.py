"""Hostile and careless input on the live-call screen (issue 13, rows 2, 3, 11 and 16)."""

import pytest
from django.urls import reverse

from callbacks.models import CallbackRequest
from outages import lifecycle
from outages.models import RefundReview
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["console:home", "console:suggest", "console:live"])
def test_row2_a_nul_byte_in_the_lookup_is_a_400_with_a_message(agent_client, name):
    response = agent_client.get(reverse(name), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "control characters" in response.content.decode()


def test_row2_a_lookup_longer_than_any_address_is_refused(agent_client):
    response = agent_client.get(reverse("console:home"), {"q": "7" * 5000})
    assert response.status_code == 400


def _filing(outage, **fields):
    return {
        "outage": outage.pk,
        "name": "Ana Lima",
        "phone": "(202) 555-0143",
        "call_reason": "No internet",
        "category": "outage",
        "subcategory": "no_service",
        "preferred_window": "any",
        **fields,
    }


@pytest.mark.parametrize(
    "field, value",
    [
        ("outage", "abc"),
        ("outage", "1.5"),
        ("outage", "-3"),
        ("customer", "abc"),
        ("outage", "9" * 40),
    ],
)
def test_row3_a_non_numeric_id_in_the_filing_form_is_a_400(agent_client, field, value):
    outage = OutageFactory(areas=[ServiceAreaFactory()])
    data = {**_filing(outage), field: value}
    response = agent_client.post(reverse("console:file_callback"), data)
    assert response.status_code == 400
    assert "does not exist: reload the page" in response.content.decode()
    assert not CallbackRequest.objects.exists()


def test_row11_notes_of_a_megabyte_are_refused(agent_client):
    outage = OutageFactory(areas=[ServiceAreaFactory()])
    response = agent_client.post(
        reverse("console:file_callback"), _filing(outage, notes="n" * 1_000_000)
    )
    assert response.status_code == 400
    assert "at most 4000 characters" in response.content.decode()
    assert not CallbackRequest.objects.exists()


def test_row11_filing_the_same_caller_again_and_again_keeps_the_notes_bounded(agent_client):
    outage = OutageFactory(areas=[ServiceAreaFactory()])
    for _ in range(8):
        response = agent_client.post(
            reverse("console:file_callback"), _filing(outage, notes="n" * 3900)
        )
        assert response.status_code == 200
    callback = CallbackRequest.objects.get()
    assert len(callback.notes) <= 20_000
    assert "notes full" in callback.notes


def test_row16_a_refund_review_for_a_customer_outside_the_outage_is_refused(agent_client):
    outage = OutageFactory(areas=[ServiceAreaFactory()])
    elsewhere = CustomerFactory(area=ServiceAreaFactory())
    response = agent_client.post(
        reverse("console:refund_review"), {"customer": elsewhere.pk, "outage": outage.pk}
    )
    assert response.status_code == 400
    assert "is not covered by the outage" in response.content.decode()
    assert not RefundReview.objects.exists()


def test_row16_a_refund_review_for_a_covered_customer_is_recorded(agent_client):
    area = ServiceAreaFactory()
    outage = OutageFactory(areas=[area])
    customer = CustomerFactory(area=area)
    response = agent_client.post(
        reverse("console:refund_review"), {"customer": customer.pk, "outage": outage.pk}
    )
    assert response.status_code == 200
    assert RefundReview.objects.filter(customer=customer, outage=outage).exists()


def test_row16_filing_against_a_closed_outage_is_refused(agent_client):
    outage = OutageFactory(areas=[ServiceAreaFactory()], status=lifecycle.CLOSED)
    response = agent_client.post(reverse("console:file_callback"), _filing(outage))
    assert response.status_code == 400
    assert "is closed: file the callback without it" in response.content.decode()
    assert not CallbackRequest.objects.exists()
