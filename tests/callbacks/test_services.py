"""Recording attempts, letters, the outage flag and the deadline watch, against the database."""

from datetime import timedelta

import pytest
from django.conf import settings

from callbacks import policy, services
from callbacks.models import CallbackAttempt, CallbackEvent, CallbackRequest, Letter
from contact import services as contact_services
from outages.models import Escalation

from .factories import T0, due_callback

pytestmark = pytest.mark.django_db

CALL = dict(category="outage", subcategory="no_service", notes="")


def _attempt(callback, actor, outcome, at, **extra):
    return contact_services.callback_record_attempt(
        actor=actor, now=at, callback=callback, outcome=outcome, **{**CALL, **extra}
    )


@pytest.mark.parametrize(
    "outcome, status, subject",
    [
        (policy.ANSWERED, policy.DONE, "System Outage Return Call \u2013 Answered"),
        (policy.LEFT_VOICEMAIL, policy.DONE, "System Outage Return Call \u2013 Left Voicemail"),
        (policy.NO_VOICEMAIL, policy.RETRY, "System Outage Return Call \u2013 No Voicemail"),
        (policy.WRONG_NUMBER, policy.LETTER, "System Outage Return Call \u2013 Wrong Number"),
    ],
)
def test_first_attempt_logs_the_call_and_moves_the_callback(agent, outcome, status, subject):
    callback = due_callback(agent=agent)
    at = T0 + timedelta(hours=1)
    _attempt(callback, agent, outcome, at, notes="Spoke briefly")

    callback.refresh_from_db()
    assert callback.status == status
    assert callback.attempts == 1 and callback.last_attempt_at == at
    log = CallbackAttempt.objects.get()
    assert (log.number, log.agent, log.at, log.subject) == (1, agent, at, subject)
    assert (log.category, log.subcategory, log.notes) == ("outage", "no_service", "Spoke briefly")
    event = CallbackEvent.objects.get(callback=callback)
    assert (event.from_status, event.to_status, event.actor) == (policy.ASSIGNED, status, agent)
    assert Letter.objects.exists() == (status == policy.LETTER)


def test_no_voicemail_keeps_the_agent_and_is_due_again_within_two_hours(agent):
    callback = due_callback(agent=agent)
    at = T0 + timedelta(hours=7, minutes=30)
    _attempt(callback, agent, policy.NO_VOICEMAIL, at)
    callback.refresh_from_db()
    assert callback.status == policy.RETRY
    assert callback.assigned_to == agent
    assert callback.due_at == at + settings.CALLBACK_RETRY_WINDOW  # past the 8 h target


def test_second_no_voicemail_produces_a_letter_with_the_customers_address(agent):
    callback = due_callback(agent=agent)
    _attempt(callback, agent, policy.NO_VOICEMAIL, T0 + timedelta(hours=1))
    _attempt(callback, agent, policy.NO_VOICEMAIL, T0 + timedelta(hours=2))
    callback.refresh_from_db()
    assert callback.status == policy.LETTER and callback.assigned_to is None
    letter = Letter.objects.get()
    assert letter.callback == callback
    assert (letter.name, letter.address) == (callback.customer.name, callback.customer.address)
    assert letter.status == Letter.Status.TO_SEND
    assert letter.produced_at == T0 + timedelta(hours=2)


def test_still_without_service_keeps_the_callback_and_flags_the_outage_once(agent, agent2):
    first = due_callback(agent=agent)
    second = due_callback(agent=agent2, outage=first.outage)
    _attempt(first, agent, policy.STILL_WITHOUT_SERVICE, T0 + timedelta(hours=1))
    _attempt(second, agent2, policy.STILL_WITHOUT_SERVICE, T0 + timedelta(hours=2))

    first.refresh_from_db()
    assert first.status == policy.ASSIGNED and first.assigned_to == agent
    assert first.due_at == T0 + timedelta(hours=8)
    escalation = Escalation.objects.get()
    assert escalation.outage == first.outage
    assert escalation.reason == Escalation.Reason.STILL_WITHOUT_SERVICE
    assert escalation.area == first.customer.area
    assert escalation.cleared_at is None
    assert (
        CallbackEvent.objects.filter(reason__startswith="Customer still without service").count()
        == 2
    )


def test_still_without_service_raises_again_after_the_first_was_cleared(agent):
    callback = due_callback(agent=agent)
    _attempt(callback, agent, policy.STILL_WITHOUT_SERVICE, T0 + timedelta(hours=1))
    Escalation.objects.update(cleared_at=T0 + timedelta(hours=2))
    _attempt(callback, agent, policy.STILL_WITHOUT_SERVICE, T0 + timedelta(hours=3))
    assert Escalation.objects.filter(cleared_at__isnull=True).count() == 1
    assert Escalation.objects.count() == 2


def test_only_the_agent_holding_it_may_log_a_call(agent, agent2):
    callback = due_callback(agent=agent)
    with pytest.raises(contact_services.NotYourCallback):
        _attempt(callback, agent2, policy.ANSWERED, T0 + timedelta(hours=1))
    assert not CallbackAttempt.objects.exists()
    assert CallbackRequest.objects.get().status == policy.ASSIGNED


def test_an_agent_cannot_log_on_a_callback_nobody_holds(agent):
    callback = due_callback()
    with pytest.raises(contact_services.NotYourCallback):
        _attempt(callback, agent, policy.ANSWERED, T0 + timedelta(hours=1))
    assert not CallbackAttempt.objects.exists()


def test_a_team_lead_may_log_on_any_callback_and_takes_an_unheld_one(team_lead, agent):
    held = due_callback(agent=agent)
    _attempt(held, team_lead, policy.NO_VOICEMAIL, T0 + timedelta(hours=1))
    held.refresh_from_db()
    assert held.status == policy.RETRY and held.assigned_to == agent  # stays with its agent

    unheld = due_callback()
    _attempt(unheld, team_lead, policy.ANSWERED, T0 + timedelta(hours=1))
    unheld.refresh_from_db()
    assert unheld.status == policy.DONE
    moves = list(
        CallbackEvent.objects.filter(callback=unheld).values_list("from_status", "to_status")
    )
    assert moves == [(policy.QUEUED, policy.ASSIGNED), (policy.ASSIGNED, policy.DONE)]


def test_the_same_attempt_is_not_logged_twice(agent):
    callback = due_callback(agent=agent)
    _attempt(callback, agent, policy.NO_VOICEMAIL, T0 + timedelta(hours=1), expected_number=1)
    with pytest.raises(services.CallbackError, match="already logged"):
        _attempt(callback, agent, policy.NO_VOICEMAIL, T0 + timedelta(hours=1), expected_number=1)
    callback.refresh_from_db()
    assert callback.attempts == 1 and callback.status == policy.RETRY
    assert CallbackAttempt.objects.count() == 1
    assert not Letter.objects.exists()


@pytest.mark.parametrize("status", [policy.WAITING, policy.DONE, policy.LETTER])
def test_no_call_is_logged_on_a_callback_that_is_not_due(team_lead, status):
    callback = due_callback(status=status)
    with pytest.raises(services.CallbackError):
        _attempt(callback, team_lead, policy.ANSWERED, T0 + timedelta(hours=1))
    assert not CallbackAttempt.objects.exists()
    assert not CallbackEvent.objects.exists()


def test_marking_a_letter_sent_closes_the_callback_once(agent, team_lead):
    callback = due_callback(agent=agent)
    _attempt(callback, agent, policy.WRONG_NUMBER, T0 + timedelta(hours=1))
    letter = Letter.objects.get()
    contact_services.letter_mark_sent(actor=team_lead, now=T0 + timedelta(days=1), letter=letter)
    letter.refresh_from_db()
    callback.refresh_from_db()
    assert letter.status == Letter.Status.SENT and letter.sent_by == team_lead
    assert letter.sent_at == T0 + timedelta(days=1)
    assert callback.status == policy.LETTER_SENT
    events = CallbackEvent.objects.filter(callback=callback).count()

    with pytest.raises(services.CallbackError, match="already marked sent"):
        contact_services.letter_mark_sent(
            actor=team_lead, now=T0 + timedelta(days=2), letter=letter
        )
    letter.refresh_from_db()
    assert letter.sent_at == T0 + timedelta(days=1)
    assert CallbackEvent.objects.filter(callback=callback).count() == events


# The deadline watch (part of the sweep)


def test_sweep_marks_at_risk_within_the_margin_only(agent):
    due = T0 + timedelta(hours=8)
    close = due_callback(agent=agent)
    far = due_callback(agent=agent, due_at=due + timedelta(hours=3))
    result = services.callbacks_sweep(now=due - settings.CALLBACK_AT_RISK_MARGIN)
    assert result["at_risk"] == 1 and result["breached"] == 0
    close.refresh_from_db()
    far.refresh_from_db()
    assert close.at_risk and not far.at_risk
    assert close.breached_at is None
    assert CallbackEvent.objects.filter(callback=close, reason=services.AT_RISK_REASON).count() == 1
    # Still at risk a minute later: nothing new is written.
    again = services.callbacks_sweep(now=due - timedelta(minutes=59))
    assert again["at_risk"] == 0
    assert CallbackEvent.objects.count() == 1


def test_sweep_records_a_missed_deadline_once(agent):
    callback = due_callback(agent=agent)
    due = callback.due_at
    assert services.callbacks_sweep(now=due)["breached"] == 0  # due at 22:00, called at 22:00
    first = services.callbacks_sweep(now=due + timedelta(seconds=1))
    second = services.callbacks_sweep(now=due + timedelta(minutes=1))
    assert first["breached"] == 1 and second["breached"] == 0
    callback.refresh_from_db()
    assert callback.breached_at == due + timedelta(seconds=1)
    assert callback.status == policy.ASSIGNED
    assert CallbackEvent.objects.filter(reason=services.BREACH_REASON).count() == 1


def test_a_retry_gets_a_fresh_watch_on_its_own_deadline(agent):
    callback = due_callback(agent=agent)
    late = callback.due_at + timedelta(minutes=10)
    services.callbacks_sweep(now=late)
    _attempt(callback, agent, policy.NO_VOICEMAIL, late)
    callback.refresh_from_db()
    assert callback.status == policy.RETRY
    assert not callback.at_risk and callback.breached_at is None
    services.callbacks_sweep(now=late + timedelta(hours=2, seconds=1))
    callback.refresh_from_db()
    assert callback.breached_at == late + timedelta(hours=2, seconds=1)
    assert CallbackEvent.objects.filter(reason=services.BREACH_REASON).count() == 2


def test_closed_callbacks_are_not_watched(agent):
    callback = due_callback(agent=agent)
    _attempt(callback, agent, policy.ANSWERED, T0 + timedelta(hours=1))
    result = services.callbacks_sweep(now=T0 + timedelta(days=2))
    assert result["at_risk"] == result["breached"] == 0


def test_a_reopened_outage_clears_the_missed_deadline_of_untried_callbacks(agent, supervisor):
    from outages import services as outage_services

    callback = due_callback()
    services.callbacks_sweep(now=callback.due_at + timedelta(minutes=1))
    callback.refresh_from_db()
    assert callback.breached_at is not None
    reopened_at = callback.due_at + timedelta(minutes=2)
    outage_services.outage_reopen(actor=supervisor, now=reopened_at, outage=callback.outage)
    assert services.callbacks_return_to_waiting(outage_id=callback.outage_id, now=reopened_at) == 1
    callback.refresh_from_db()
    assert callback.status == policy.WAITING
    assert callback.due_at is None and callback.breached_at is None and not callback.at_risk
