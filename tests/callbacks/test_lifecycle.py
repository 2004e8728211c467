"""A callback's life beyond its attempts: cancelling, reopening, against the database."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from callbacks import conf, policy, selectors, services
from callbacks.models import CallbackEvent, CallbackRequest, Letter
from contact import changes
from contact import selectors as contact_selectors
from contact import services as contact_services
from schedule import policy as schedule
from tests.factories import CallbackFactory, OutageFactory

from .factories import T0, due_callback, restored_outage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calling_hours")]

HTMX = {"HX-Request": "true"}


# Cancel


def test_the_holder_cancels_and_the_callback_leaves_the_queue_keeping_its_history(agent):
    callback = due_callback(agent=agent)
    at = T0 + timedelta(hours=1)
    cancelled = changes.callback_cancel(
        actor=agent, now=at, callback=callback, reason=policy.RESOLVED_ITSELF
    )
    assert cancelled.status == policy.CANCELLED
    assert cancelled.cancelled_from == policy.ASSIGNED
    assert (cancelled.cancelled_at, cancelled.cancelled_by, cancelled.closed_at) == (at, agent, at)
    assert cancelled.assigned_to is None
    assert not CallbackRequest.objects.workable().filter(pk=callback.pk).exists()
    assert not CallbackRequest.objects.distributable().filter(pk=callback.pk).exists()
    event = CallbackEvent.objects.get(callback=callback, to_status=policy.CANCELLED)
    assert event.actor == agent
    assert event.reason == "Cancelled by Agent Tester. Resolved by itself"


def test_the_customer_cancels_through_self_service_without_an_actor():
    callback = due_callback()
    cancelled = changes.callback_cancel(
        callback=callback,
        now=T0,
        reason=policy.CUSTOMER_ASKED,
        by_customer=True,
        note="Service is back",
    )
    assert cancelled.cancelled_by_customer and cancelled.cancelled_by is None
    event = CallbackEvent.objects.get(callback=callback, to_status=policy.CANCELLED)
    assert event.actor is None
    assert event.reason == "Cancelled by the customer. Customer asked: Service is back"


@pytest.mark.parametrize(
    "who, reason, note, message",
    [
        ("other_agent", policy.DUPLICATE, "", "Only the agent who holds this callback"),
        ("nobody", policy.DUPLICATE, "", "needs the person who made it"),
        ("holder", "bored", "", "Choose why"),
        ("holder", policy.OTHER, "  ", "Say why"),
    ],
)
def test_cancelling_is_refused_for_the_wrong_person_or_reason(
    agent, agent2, who, reason, note, message
):
    callback = due_callback(agent=agent)
    actor = {"holder": agent, "other_agent": agent2, "nobody": None}[who]
    with pytest.raises(services.CallbackError, match=message):
        changes.callback_cancel(actor=actor, now=T0, callback=callback, reason=reason, note=note)
    callback.refresh_from_db()
    assert callback.status == policy.ASSIGNED
    assert not CallbackEvent.objects.filter(callback=callback).exists()


@pytest.mark.parametrize("status", [policy.DONE, policy.LETTER_SENT, policy.CANCELLED])
def test_a_finished_callback_cannot_be_cancelled(team_lead, status):
    callback = due_callback(status=status)
    with pytest.raises(services.CallbackError, match="cannot be cancelled"):
        changes.callback_cancel(actor=team_lead, now=T0, callback=callback, reason=policy.DUPLICATE)


def test_cancelling_a_letter_takes_it_off_the_letters_queue_and_reopening_brings_it_back(
    team_lead,
):
    callback = due_callback(status=policy.LETTER, attempts=2)
    Letter.objects.create(callback=callback, name=callback.name, produced_at=T0)
    changes.callback_cancel(
        actor=team_lead, now=T0, callback=callback, reason=policy.CUSTOMER_ASKED
    )
    assert not contact_selectors.letters_to_send().exists()
    changes.callback_reopen(actor=team_lead, now=T0 + timedelta(hours=2), callback=callback)
    assert contact_selectors.letters_to_send().count() == 1


# Reopen


def test_a_team_lead_reopens_within_a_day_back_to_the_queue_with_its_deadline(agent, team_lead):
    callback = due_callback(agent=agent)  # due T0 + 8 h
    changes.callback_cancel(actor=agent, now=T0, callback=callback, reason=policy.DUPLICATE)
    reopened = changes.callback_reopen(
        actor=team_lead, now=T0 + timedelta(hours=1), callback=callback, note="Not a duplicate"
    )
    assert reopened.status == policy.QUEUED  # nobody holds it any more
    assert reopened.due_at == T0 + timedelta(hours=8)
    assert reopened.cancelled_at is None and reopened.cancel_reason == ""
    event = CallbackEvent.objects.filter(callback=callback).last()
    assert (event.from_status, event.to_status) == (policy.CANCELLED, policy.QUEUED)
    assert event.reason == "Reopened by Lead Tester: Not a duplicate"


def test_a_reopened_callback_past_its_deadline_is_due_within_the_retry_window(team_lead):
    callback = due_callback()
    changes.callback_cancel(actor=team_lead, now=T0, callback=callback, reason=policy.DUPLICATE)
    later = T0 + timedelta(hours=20)
    reopened = changes.callback_reopen(actor=team_lead, now=later, callback=callback)
    assert reopened.due_at == later + timedelta(hours=2)


def test_reopening_is_for_team_leads_within_a_day(agent, team_lead):
    callback = due_callback(agent=agent)
    changes.callback_cancel(actor=agent, now=T0, callback=callback, reason=policy.DUPLICATE)
    with pytest.raises(services.CallbackError, match="Only a team lead"):
        changes.callback_reopen(actor=agent, now=T0, callback=callback)
    with pytest.raises(services.CallbackError, match="within a day"):
        changes.callback_reopen(
            actor=team_lead, now=T0 + timedelta(days=1, seconds=1), callback=callback
        )


def test_reopening_yields_to_a_newer_open_callback_for_the_same_number(team_lead):
    callback = due_callback()
    changes.callback_cancel(actor=team_lead, now=T0, callback=callback, reason=policy.DUPLICATE)
    due_callback(outage=callback.outage, customer=callback.customer)
    with pytest.raises(services.CallbackError, match="another open callback"):
        changes.callback_reopen(actor=team_lead, now=T0, callback=callback)


# Pages


def test_the_holder_cancels_from_the_callback_page(agent, agent_client):
    callback = due_callback(agent=agent)
    url = reverse("callbacks:cancel", args=[callback.pk])
    page = agent_client.get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
    assert 'for="id_cancel-reason"' in page and "Why cancel this callback?" in page
    response = agent_client.post(
        url, {"cancel-reason": policy.OTHER, "cancel-note": ""}, headers=HTMX
    )
    assert "Say why the callback is cancelled." in response.content.decode()
    response = agent_client.post(
        url, {"cancel-reason": policy.RESOLVED_ITSELF, "cancel-note": ""}, headers=HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Callback cancelled." in page
    assert "Resolved by itself" in page
    callback.refresh_from_db()
    assert callback.status == policy.CANCELLED


def test_an_agent_not_holding_it_sees_no_cancel_and_is_refused(agent, agent2, client):
    callback = due_callback(agent=agent2)
    client.force_login(agent)
    page = client.get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
    assert "Cancel callback" not in page
    response = client.post(
        reverse("callbacks:cancel", args=[callback.pk]), {"cancel-reason": policy.DUPLICATE}
    )
    assert response.status_code == 409
    callback.refresh_from_db()
    assert callback.status == policy.ASSIGNED


def test_a_team_lead_reopens_from_the_page(team_lead, client):
    callback = due_callback()
    changes.callback_cancel(actor=team_lead, now=T0, callback=callback, reason=policy.DUPLICATE)
    client.force_login(team_lead)
    with_travel = T0 + timedelta(hours=3)
    with time_machine.travel(with_travel, tick=False):
        page = client.get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
        assert "Reopen callback" in page
        response = client.post(reverse("callbacks:reopen", args=[callback.pk]), {})
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.status == policy.QUEUED


def test_a_waiting_callback_cancels_without_a_deadline_and_reopens_waiting(team_lead):
    callback = due_callback(status=policy.WAITING, due_at=None)
    callback.outage.status, callback.outage.restored_at = "identified", None
    callback.outage.save()
    changes.callback_cancel(actor=team_lead, now=T0, callback=callback, reason=policy.DUPLICATE)
    reopened = changes.callback_reopen(actor=team_lead, now=T0, callback=callback)
    assert (reopened.status, reopened.due_at) == (policy.WAITING, None)


# The customer's window and calling hours on the deadline (T0 is 09:00 in New York)


def _waiting(outage, **extra):
    return CallbackFactory(
        outage=outage, status=policy.WAITING, created_at=T0 - timedelta(hours=2), **extra
    )


def test_a_release_applies_each_customers_window_and_calling_hours_by_group(supervisor):
    outage = OutageFactory(status="identified", started_at=T0 - timedelta(hours=3))
    plain = [_waiting(outage) for _ in range(3)]
    evening = _waiting(outage, preferred_window=schedule.EVENING)
    slot = _waiting(
        outage,
        preferred_window=schedule.SLOT,
        window_start=T0 + timedelta(days=1, hours=2),
        window_end=T0 + timedelta(days=1, hours=3),
    )
    passed = _waiting(
        outage,
        preferred_window=schedule.SLOT,
        window_start=T0 - timedelta(hours=2),
        window_end=T0 - timedelta(hours=1),
    )
    restored_at = T0 + timedelta(hours=6)  # 15:00 in New York: the target is 23:00, closed
    outage.status, outage.restored_at = "restored", restored_at
    outage.save()
    assert services.callbacks_release_for_outage(outage_id=outage.pk, now=restored_at) == 6

    for callback in plain:
        callback.refresh_from_db()
        # brought forward to 21:00 New York (01:00 UTC), not rescheduled
        assert callback.due_at == T0 + timedelta(hours=12)
        assert (callback.rescheduled_by_customer, callback.deadline_moved) == (False, "earlier")
    evening.refresh_from_db()
    # the evening window (17:00-21:00) opens before the 23:00 target: the target stands,
    # brought forward into calling hours
    assert evening.window_start == T0 + timedelta(hours=8)
    assert evening.due_at == T0 + timedelta(hours=12) and not evening.rescheduled_by_customer
    slot.refresh_from_db()
    assert slot.due_at == T0 + timedelta(days=1, hours=3)  # capped at the slot's end
    assert slot.rescheduled_by_customer
    passed.refresh_from_db()
    assert (passed.preferred_window, passed.window_start) == (schedule.ANY_TIME, None)
    assert CallbackEvent.objects.filter(
        callback=slot, reason__startswith="Due after the customer's window"
    ).exists()


def test_filing_after_restoration_follows_the_customers_slot(agent):
    outage = restored_outage()
    filing = services.callback_file(
        actor=agent,
        now=T0 + timedelta(hours=1),
        outage=outage,
        name="Ana Lima",
        phone="+12025550143",
        phone_2="+12025550199",
        call_reason="No internet",
        preferred_window=schedule.SLOT,
        window_start=T0 + timedelta(days=1),
        window_end=T0 + timedelta(days=1, hours=4),
    )
    callback = filing.callback
    assert callback.due_at == T0 + timedelta(days=1, hours=2)
    assert callback.rescheduled_by_customer
    assert callback.numbers == ["+12025550143", "+12025550199"]


def test_a_slot_ending_before_it_starts_is_refused(agent):
    with pytest.raises(services.CallbackError, match="after its start"):
        services.callback_file(
            actor=agent,
            now=T0,
            outage=restored_outage(),
            name="Ana Lima",
            phone="+12025550143",
            call_reason="No internet",
            preferred_window=schedule.SLOT,
            window_start=T0 + timedelta(hours=3),
            window_end=T0 + timedelta(hours=2),
        )


# Numbers and consent on attempts

CALL = dict(category="outage", subcategory="no_service")


def test_a_wrong_number_moves_to_the_next_number_before_counting_toward_the_letter(agent):
    callback = due_callback(agent=agent, phone_2="+13035559990")
    first = callback.phone
    after = contact_services.callback_record_attempt(
        actor=agent, now=T0, callback=callback, outcome=policy.WRONG_NUMBER, **CALL
    )
    assert (after.status, after.dial_position, after.uncounted_attempts) == (policy.ASSIGNED, 2, 1)
    assert after.assigned_to == agent
    assert not Letter.objects.exists()
    # the second number: no voicemail is the first counted attempt, so a retry follows
    after = contact_services.callback_record_attempt(
        actor=agent,
        now=T0 + timedelta(minutes=5),
        callback=callback,
        outcome=policy.NO_VOICEMAIL,
        **CALL,
    )
    assert after.status == policy.RETRY
    dialled = list(callback.attempt_log.order_by("number").values_list("dialled", flat=True))
    assert dialled == [first, "+13035559990"]
    # the last number wrong too: the letter
    after = contact_services.callback_record_attempt(
        actor=agent,
        now=T0 + timedelta(hours=1),
        callback=callback,
        outcome=policy.WRONG_NUMBER,
        **CALL,
    )
    assert after.status == policy.LETTER and Letter.objects.filter(callback=callback).exists()


@pytest.mark.parametrize(
    "consent, subject",
    [
        (True, "System Outage Return Call \u2013 Answered"),
        (False, "System Outage Return Call \u2013 Answered \u2013 Recording Declined"),
    ],
)
def test_an_answered_call_records_consent_and_a_refusal_has_its_own_subject(
    agent, consent, subject
):
    callback = due_callback(agent=agent)
    after = contact_services.callback_record_attempt(
        actor=agent, now=T0, callback=callback, outcome=policy.ANSWERED, consent=consent, **CALL
    )
    attempt = after.attempt_log.get()
    assert (attempt.consent, attempt.subject, after.status) == (consent, subject, policy.DONE)


def test_a_retry_due_in_closed_hours_moves_into_calling_hours(agent):
    callback = due_callback(agent=agent)
    at = T0 + timedelta(hours=11, minutes=30)  # 20:30 in New York: retry would be 22:30
    after = contact_services.callback_record_attempt(
        actor=agent, now=at, callback=callback, outcome=policy.NO_VOICEMAIL, **CALL
    )
    # half an hour left before 21:00 is too little: 09:00 New York the next morning
    assert after.due_at == T0 + timedelta(days=1)


# Numbers, window, escalation: services and pages


def test_numbers_are_corrected_in_order_with_a_timeline_event(agent):
    callback = due_callback(agent=agent, dial_position=2, phone_2="+13035550100")
    first = callback.phone
    after = changes.callback_numbers_set(
        actor=agent, now=T0, callback=callback, numbers=["+13035550111", "", first]
    )
    assert after.numbers == ["+13035550111", first] and after.dial_position == 1
    event = CallbackEvent.objects.get(callback=callback)
    assert event.reason == f"Numbers changed: {first}, +13035550100 -> +13035550111, {first}"


def test_a_first_number_that_another_open_callback_has_is_refused(agent):
    callback = due_callback(agent=agent)
    other = due_callback(outage=callback.outage)
    with pytest.raises(services.CallbackError, match="already has that first number"):
        changes.callback_numbers_set(actor=agent, now=T0, callback=callback, numbers=[other.phone])


def test_a_window_after_the_target_reschedules_a_due_callback(agent):
    callback = due_callback(agent=agent)  # due T0 + 8 h = 17:00 New York
    after = changes.callback_window_set(
        actor=agent,
        now=T0,
        callback=callback,
        preferred_window=schedule.SLOT,
        window_start=T0 + timedelta(days=1),
        window_end=T0 + timedelta(days=1, hours=3),
    )
    assert after.due_at == T0 + timedelta(days=1, hours=2)
    assert after.rescheduled_by_customer
    after = changes.callback_window_set(
        actor=agent, now=T0, callback=callback, preferred_window=schedule.ANY_TIME
    )
    assert after.due_at == T0 + timedelta(hours=8) and not after.rescheduled_by_customer


def test_an_escalated_callback_leaves_the_agent_for_the_team_leads_queue(agent, team_lead):
    callback = due_callback(agent=agent)
    after = changes.callback_escalate(
        actor=agent, now=T0, callback=callback, reason="Wants a manager"
    )
    assert (after.status, after.assigned_to) == (policy.QUEUED, None)
    assert after.escalation_due_at == T0 + timedelta(hours=4)
    assert not CallbackRequest.objects.distributable().filter(pk=callback.pk).exists()
    assert list(contact_selectors.callbacks_escalated()) == [after]
    with pytest.raises(services.CallbackError, match="already with the team leads"):
        changes.callback_escalate(actor=team_lead, now=T0, callback=callback, reason="Again")
    # the team lead works it with the same outcome buttons
    contact_services.callback_record_attempt(
        actor=team_lead, now=T0, callback=callback, outcome=policy.ANSWERED, consent=True, **CALL
    )
    assert not contact_selectors.callbacks_escalated()


def test_the_callback_page_offers_each_action_by_its_label(agent, agent_client):
    callback = due_callback(agent=agent)
    page = agent_client.get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
    for label in (
        "First number to try",
        "Second number",
        "When does the customer want the call?",
        "Why does this go to a team lead?",
        "Why cancel this callback?",
        "Did the customer agree to continue on a recorded line?",
    ):
        assert label in page
    assert "<script>" not in page and "onclick" not in page


def test_answered_without_consent_is_refused_beside_the_question(agent, agent_client):
    callback = due_callback(agent=agent)
    url = reverse("callbacks:record_attempt", args=[callback.pk])
    data = {
        "outcome": policy.ANSWERED,
        "category": "outage",
        "subcategory": "no_service",
        "expected_number": 1,
    }
    response = agent_client.post(url, data)
    assert response.status_code == 400
    assert "record whether the customer agreed" in response.content.decode()
    response = agent_client.post(url, {**data, "consent": "no"})
    assert response.status_code == 302
    assert callback.attempt_log.get().consent is False


def test_the_pages_change_numbers_window_and_escalate(agent, agent_client, team_lead, client):
    callback = due_callback(agent=agent)
    response = agent_client.post(
        reverse("callbacks:numbers", args=[callback.pk]),
        {"numbers-phone": callback.phone, "numbers-phone_2": "(303) 555-0177"},
        headers=HTMX,
    )
    assert "Numbers saved." in response.content.decode()
    response = agent_client.post(
        reverse("callbacks:window", args=[callback.pk]),
        {"window-preferred_window": schedule.SLOT, "window-window_start": "2026-11-24T10:00"},
        headers=HTMX,
    )
    assert "Enter when it ends." in response.content.decode()
    response = agent_client.post(
        reverse("callbacks:escalate", args=[callback.pk]),
        {"escalate-reason": "Asks for a manager"},
    )
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.phone_2 == "+13035550177" and callback.escalated_at is not None
    client.force_login(team_lead)
    page = client.get(reverse("callbacks:escalations")).content.decode()
    assert "Asks for a manager" in page


def test_the_board_counts_deadlines_that_fell_in_closed_hours():
    due_callback(deadline_moved=schedule.BROUGHT_FORWARD)
    due_callback(deadline_moved=schedule.MOVED_TO_OPENING)
    due_callback(due_at=T0 + timedelta(hours=13))  # 03:00 New York, set before the rule
    due_callback()  # 17:00 New York
    due_callback(status=policy.DONE, deadline_moved=schedule.BROUGHT_FORWARD)  # closed: not counted
    counts = selectors.callbacks_closed_hours_counts(hours=conf.calling_hours())
    assert counts == {
        "brought_forward": 1,
        "moved_to_opening": 1,
        "still_closed": 1,
        "escalated": 0,
    }
