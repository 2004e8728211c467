"""Events to message rows: who is told, once, in which order, within the cap."""

from datetime import UTC, datetime, timedelta

import pytest

from notifications import compose, rules, services
from notifications.models import EtrPromise, Message, OptOut, Subscription
from outages.services import customer_erase, outage_post_update
from tests.factories import (
    CallbackFactory,
    CoverageFactory,
    CustomerFactory,
    OutageFactory,
    ServiceAreaFactory,
)

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture
def scene(db):
    area = ServiceAreaFactory(name="Northgate")
    outage = OutageFactory(
        areas=[area], started_at=NOW - timedelta(hours=2), etr=NOW + timedelta(hours=1)
    )
    customers = [CustomerFactory(area=area, email=f"c{i}@example.com") for i in range(3)]
    return outage, customers


def test_declared_fan_out_is_once_per_address_with_opt_outs_and_subscribers(scene, supervisor):
    outage, customers = scene
    OptOut.objects.create(channel="sms", address=customers[0].phone, source="link", at=NOW)
    Subscription.objects.create(
        postal_code="20001",
        area=outage.areas.get(),
        channel="email",
        address="neighbour@example.com",
        status="confirmed",
        created_at=NOW,
    )
    # A subscriber who is also a customer gets one message, not two.
    Subscription.objects.create(
        postal_code="20001",
        area=outage.areas.get(),
        channel="sms",
        address=customers[1].phone,
        status="confirmed",
        created_at=NOW,
    )
    notice = services.outage_notify_declared(actor=supervisor, now=NOW, outage=outage)
    rows = Message.objects.filter(notice=notice)
    assert rows.count() == 7  # 3 phones (one opted out) + 3 emails + the neighbour
    assert rows.filter(status=rules.OPTED_OUT).count() == 1
    with pytest.raises(services.ServiceError):
        services.outage_notify_declared(actor=supervisor, now=NOW, outage=outage)
    assert Message.objects.count() == 7


def test_slipped_promise_is_apologised_for_first_naming_the_time(scene, supervisor, agent):
    outage, customers = scene
    promised = outage.etr
    services.etr_promise_record(customer=customers[0], outage=outage, agent=agent, now=NOW)
    services.etr_promise_record(customer=customers[0], outage=outage, agent=agent, now=NOW)
    assert EtrPromise.objects.count() == 1
    outage = outage_post_update(
        actor=supervisor, now=NOW, outage=outage, etr=NOW + timedelta(hours=4)
    )
    notices = services.outage_etr_changed(outage_id=outage.pk, previous_etr=promised, now=NOW)
    apology, etr_notice = notices
    assert apology.event == rules.APOLOGY and apology.promised_etr == promised
    told = set(Message.objects.filter(notice=apology).values_list("address", flat=True))
    assert told == {customers[0].phone, customers[0].email}
    others = set(Message.objects.filter(notice=etr_notice).values_list("address", flat=True))
    assert customers[0].phone not in others and customers[1].phone in others
    first = Message.objects.filter(status=rules.QUEUED).order_by("priority", "id").first()
    assert first.notice_id == apology.pk
    # The apology's words name the time the customer was given.
    values = compose.base_values(now=NOW, notice=apology, outage=outage)
    choice = compose.scripts_for(event=rules.APOLOGY, outage=outage)["sms"]
    text = compose.compose(choice=choice, channel="sms", values=values).body
    assert "Mon 30 Nov, 11:00 AM" in text  # the promised 16:00 UTC, New York time
    # The sweep does not apologise twice.
    assert services.promises_sweep(now=NOW + timedelta(hours=5)) == []


def test_small_etr_moves_are_not_news_and_the_daily_cap_holds(scene, settings):
    outage, customers = scene
    settings.NOTIFY_DAILY_CAP = 1
    previous = outage.etr
    outage.etr = previous + timedelta(minutes=10)
    outage.save(update_fields=["etr"])
    assert services.outage_etr_changed(outage_id=outage.pk, previous_etr=previous, now=NOW) == []
    for hours in (2, 3):
        outage.etr = previous + timedelta(hours=hours)
        outage.save(update_fields=["etr"])
        services.outage_etr_changed(
            outage_id=outage.pk, previous_etr=previous + timedelta(hours=hours - 1), now=NOW
        )
    # Two news-worthy moves, a cap of one: each address heard once.
    assert Message.objects.count() == 6


def test_restoration_overtakes_queued_updates(scene):
    outage, customers = scene
    previous = outage.etr
    outage.etr = previous + timedelta(hours=2)
    outage.save(update_fields=["etr"])
    services.outage_etr_changed(outage_id=outage.pk, previous_etr=previous, now=NOW)
    outage.status, outage.restored_at = "restored", NOW
    outage.save(update_fields=["status", "restored_at"])
    notice = services.outage_restored(outage_id=outage.pk, now=NOW)
    assert Message.objects.filter(notice=notice).count() == 6
    assert not Message.objects.filter(notice__event="etr_changed", status="queued").exists()


def test_subscription_double_opt_in(db, sms_server):
    coverage = CoverageFactory(postal_code="30303")
    subscription = services.subscription_request(
        postal_code="30 303", channel="sms", address="+1 202 555 0199", now=NOW
    )
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.area == coverage.area
    services.subscription_send_confirmation(subscription_id=subscription.pk, now=NOW)
    body = sms_server.requests[0]["form"]["Body"]
    token = body.rsplit("/confirm/", 1)[1].rstrip("/")
    services.subscription_confirm(token=token, now=NOW)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CONFIRMED
    with pytest.raises(services.ServiceError) as refused:
        services.subscription_request(postal_code="99999", channel="sms", address="x", now=NOW)
    assert refused.value.field == "postal_code"


def test_callback_filed_texts_and_emails_and_answered_only_emails(scene):
    outage, customers = scene
    callback = CallbackFactory(
        outage=outage, customer=customers[0], phone=customers[0].phone, call_reason="No internet"
    )
    filed = services.callback_filed_notify(callback_id=callback.pk, now=NOW)
    channels = set(Message.objects.filter(notice=filed).values_list("channel", flat=True))
    assert channels == {"sms", "email"}
    assert services.callback_filed_notify(callback_id=callback.pk, now=NOW) == filed  # once
    answered = services.callback_answered_notify(callback_id=callback.pk, now=NOW)
    assert list(Message.objects.filter(notice=answered).values_list("channel", "address")) == [
        ("email", customers[0].email)
    ]
    values = compose.base_values(now=NOW, notice=filed, outage=outage, callback=callback)
    choice = compose.scripts_for(event=rules.CALLBACK_FILED, outage=outage)["sms"]
    text = compose.compose(choice=choice, channel="sms", values=values).body
    assert "will call you within 8 hours of the service being restored" in text


def test_erasing_a_customer_removes_their_messages_and_email_but_keeps_their_stop(
    scene, supervisor
):
    outage, customers = scene
    ada = customers[0]
    phone = ada.phone
    OptOut.objects.create(channel="sms", address=ada.phone, customer=ada, source="sms_stop", at=NOW)
    services.outage_notify_declared(actor=supervisor, now=NOW, outage=outage)
    counts = customer_erase(
        actor=supervisor, now=NOW, account_number=ada.account_number, reason="asked"
    )
    assert counts["notifications.subscribers"]["messages"] == 2
    ada.refresh_from_db()
    assert ada.email == "" and not Message.objects.filter(customer=ada).exists()
    assert OptOut.objects.filter(address=phone, customer=None).exists()
