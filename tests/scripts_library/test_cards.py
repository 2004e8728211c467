"""Cards as agents see them: values from the call, visible gaps, escaped text, current cause."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from outages import lifecycle
from scripts_library import moments
from scripts_library.cards import cards_for_call, render_card
from scripts_library.context import callback_deadline, placeholder_values
from tests.factories import CallbackFactory, CustomerFactory, OutageFactory, ServiceAreaFactory
from tests.scripts_library.factories import make_script

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 10:00 AM in New York


@pytest.fixture(autouse=True)
def new_york(settings):
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def area():
    return ServiceAreaFactory(name="Northgate")


@pytest.fixture
def customer(area):
    return CustomerFactory(name="Maria Garcia", area=area)


@pytest.fixture
def outage(area):
    return OutageFactory(
        title="Broadband down in Northgate",
        cause="a cut fibre cable",
        etr=NOW + timedelta(hours=3),
        started_at=NOW - timedelta(hours=1),
        areas=[area],
    )


def _card(moment, **kwargs):
    (card,) = cards_for_call(wanted=[moment], now=NOW, **kwargs)
    return card


def test_the_cause_card_shows_the_outage_cause(outage, customer):
    card = _card(moments.CAUSE, outage=outage, customer=customer)
    assert '<strong class="ph-value">a cut fibre cable</strong>' in card.html
    assert "a cut fibre cable" in card.plain


def test_updating_the_outage_updates_the_card_rendered_next(outage, customer):
    outage.cause = "storm damage to the exchange"
    outage.save(update_fields=["cause"])
    card = _card(moments.CAUSE, outage=outage, customer=customer)
    assert "storm damage to the exchange" in card.plain
    assert "a cut fibre cable" not in card.plain


def test_the_eta_card_shows_the_etr_in_local_time(outage, customer):
    assert "Mon 23 Nov, 1:00 PM" in _card(moments.ETA, outage=outage, customer=customer).plain


@pytest.mark.parametrize(
    ("moment", "missing", "gap"),
    [
        (moments.CAUSE, dict(cause=""), "cause not yet confirmed"),
        (moments.ETA, dict(etr=None), "ETR not yet known — say we will update them"),
    ],
)
def test_a_missing_value_is_a_visible_gap(outage, customer, moment, missing, gap):
    for name, value in missing.items():
        setattr(outage, name, value)
    card = _card(moment, outage=outage, customer=customer)
    assert f'<mark class="ph-gap" title="Fill this in">{gap}</mark>' in card.html
    assert f"[{gap}]" in card.plain


def test_without_a_customer_the_name_is_a_gap_never_blank(outage, area):
    card = _card(moments.OPENING, outage=outage, area=area)
    assert card.plain.startswith("[customer's name], thank you for calling")
    assert "Northgate" in card.plain


def test_a_customer_name_with_markup_is_shown_as_text(outage, area):
    customer = CustomerFactory(name="<script>alert(1)</script> & Co", area=area)
    card = _card(moments.OPENING, outage=outage, customer=customer)
    assert "<script>" not in card.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in card.html
    assert card.plain.startswith("<script>alert(1)</script> & Co,")


def test_wording_with_markup_is_shown_as_text(outage, customer):
    make_script('Tell them "R&D" are on it, <Customer Name>.', moment=moments.REFUND)
    saved = _card(moments.REFUND, outage=outage, customer=customer)
    assert saved.html == (
        'Tell them &quot;R&amp;D&quot; are on it, <strong class="ph-value">Maria Garcia</strong>.'
    )
    # Wording that does not parse (markup reads as unknown placeholders) is shown raw: escaped.
    card = render_card(
        moment=moments.REFUND,
        body='Say <b>this</b> & "that"',
        values=placeholder_values(now=NOW, customer=customer, outage=outage),
    )
    assert card.html == "Say &lt;b&gt;this&lt;/b&gt; &amp; &quot;that&quot;"


def test_cards_come_in_call_order_with_their_labels(outage, customer):
    cards = cards_for_call(wanted=moments.OUTAGE_CALL, now=NOW, outage=outage, customer=customer)
    assert [c.moment for c in cards] == list(moments.OUTAGE_CALL)
    assert [c.label for c in cards][:2] == ["Opening", "Cause"]


def test_the_card_says_which_language_it_is_in(outage, area):
    customer = CustomerFactory(area=area, language="es")
    make_script("Causa: <Cause>.", moment=moments.CAUSE, language="es")
    cause, eta = cards_for_call(
        wanted=[moments.CAUSE, moments.ETA], now=NOW, outage=outage, customer=customer
    )
    assert (cause.plain, cause.language) == ("Causa: a cut fibre cable.", "es")
    assert (eta.language, eta.language_label) == ("en", "English")


def test_callback_scripts_use_the_callback(outage, agent):
    callback = CallbackFactory(
        outage=outage, name="Wei Chen", call_reason="a billing question", item="router"
    )
    answered, voicemail = cards_for_call(
        wanted=[moments.CALLBACK_ANSWERED, moments.CALLBACK_LEFT_VOICEMAIL],
        now=NOW,
        outage=outage,
        agent=agent,
        callback=callback,
    )
    assert answered.plain.startswith("Hello Wei Chen, this is Agent Tester calling from ")
    assert answered.plain.endswith("help with a billing question.")
    assert "about your router" in voicemail.plain
    assert settings.INBOUND_NUMBER in voicemail.plain


# --- the callback deadline reads as a phrase in every case ----------------------------------


def test_deadline_while_the_outage_is_on(outage):
    assert callback_deadline(now=NOW, outage=outage) == (
        "within 8 hours of the service being restored"
    )


def test_deadline_after_restoration(outage):
    outage.status = lifecycle.RESTORED
    outage.restored_at = NOW - timedelta(hours=2)
    assert callback_deadline(now=NOW, outage=outage) == "by Mon 23 Nov, 6:00 PM"


def test_deadline_without_an_outage():
    assert callback_deadline(now=NOW) == "by Mon 23 Nov, 6:00 PM"


def test_deadline_of_a_callback_with_a_due_time(outage):
    callback = CallbackFactory.build(outage=outage, due_at=NOW + timedelta(hours=1))
    assert callback_deadline(now=NOW, outage=outage, callback=callback) == (
        "by Mon 23 Nov, 11:00 AM"
    )


def test_the_closing_reads_well_while_the_outage_is_on(outage, customer):
    closing = _card(moments.CLOSING, outage=outage, customer=customer)
    assert "we will call you within 8 hours of the service being restored." in closing.plain


def test_values_cover_every_placeholder(outage, customer, agent):
    values = placeholder_values(now=NOW, customer=customer, outage=outage, agent=agent)
    assert values["customer_name"] == "Maria Garcia"
    assert values["area"] == "Northgate"
    assert values["outage"] == "Broadband down in Northgate"
    assert values["brand"] == settings.BRAND_NAME
    assert values["call_reason"] is None and values["item"] is None
