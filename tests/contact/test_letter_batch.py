"""The day's letters: one merged PDF, a CSV for the mail system, and marking the batch sent."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from callbacks import policy
from callbacks.models import CallbackEvent, Letter
from contact import changes, letter_documents
from contact import services as contact_services
from tests.callbacks.factories import T0, due_callback

pytestmark = pytest.mark.django_db


def _letter(name, produced_at=T0, call_reason=None):
    callback = due_callback(status=policy.LETTER, attempts=2)
    if call_reason:
        callback.call_reason = call_reason
        callback.save(update_fields=["call_reason"])
    return Letter.objects.create(
        callback=callback,
        name=name,
        address="3 Linden Close",
        postal_code="20002",
        produced_at=produced_at,
    )


def _pages(pdf):
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def test_the_batch_pdf_has_a_page_per_letter_and_the_csv_a_row(team_lead, client):
    _letter("Priya Okafor")
    _letter('=HYPERLINK("http://x")', call_reason="@SUM(1)")
    _letter("Tomorrow's", produced_at=T0 + timedelta(days=1))
    client.force_login(team_lead)
    day = f"{T0:%Y-%m-%d}"
    pdf = client.get(reverse("callbacks:letters_batch_pdf"), {"day": day})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert _pages(pdf.content) == 2
    response = client.get(reverse("callbacks:letters_batch_csv"), {"day": day})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["name"] for row in rows] == ["Priya Okafor", '\'=HYPERLINK("http://x")']
    assert rows[1]["call_reason"] == "'@SUM(1)"
    assert rows[0]["address"] == "3 Linden Close"


def test_a_name_outside_latin1_prints_in_the_pdf(settings):
    letter = _letter("Zoë Łukasiewicz 王")
    pdf = letter_documents.letters_pdf(
        [letter], today=T0.date(), brand_name="QuickConnect", inbound_number="+1 800 555 0100"
    )
    assert _pages(pdf) == 1
    settings.LETTER_PDF_FONT = "/nonexistent.ttf"  # Helvetica: still a page, "?" for the rest
    assert (
        _pages(
            letter_documents.letters_pdf(
                [letter], today=T0.date(), brand_name="Q", inbound_number="1"
            )
        )
        == 1
    )


def test_the_batch_is_marked_sent_at_once_with_an_event_each(team_lead, client):
    letters = [_letter(f"Customer {n}") for n in range(3)]
    cancelled = _letter("Changed their mind")
    changes.callback_cancel(
        actor=team_lead, now=T0, callback=cancelled.callback, reason=policy.CUSTOMER_ASKED
    )
    client.force_login(team_lead)
    page = client.get(reverse("callbacks:letters"), {"day": f"{T0:%Y-%m-%d}"}).content.decode()
    assert "Mark these 3 letters sent" in page
    response = client.post(
        reverse("callbacks:letters_batch_sent"),
        {"letters": [letter.pk for letter in letters] + [cancelled.pk]},
    )
    assert response.status_code == 302
    assert Letter.objects.filter(status=Letter.Status.SENT).count() == 3
    for letter in letters:
        letter.callback.refresh_from_db()
        assert letter.callback.status == policy.LETTER_SENT
        event = CallbackEvent.objects.get(callback=letter.callback, to_status=policy.LETTER_SENT)
        assert event.actor == team_lead and "batch of 3" in event.reason
    cancelled.refresh_from_db()
    assert cancelled.status == Letter.Status.TO_SEND
    # again: nothing left to mark
    assert (
        contact_services.letters_mark_sent_batch(
            actor=team_lead, now=T0, letter_ids=[letter.pk for letter in letters]
        )
        == 0
    )
