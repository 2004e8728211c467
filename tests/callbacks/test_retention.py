"""Retention of personal data: finished callbacks lose names, phones, addresses and notes once
the retention period has passed since their last change; the rows and their counts stay.
The clock is controlled (time-machine); the beat task runs the service with the real clock."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from callbacks import policy, services, tasks
from callbacks.models import CallbackAttempt, CallbackRequest, Letter
from tests.factories import CallbackFactory, CustomerFactory

T0 = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)


def _finished(status, *, at, notes="Said to call after 6pm, daughter is Maria"):
    customer = CustomerFactory()
    callback = CallbackFactory(
        status=status,
        customer=customer,
        account_number=customer.account_number,
        notes=notes,
        due_at=at - timedelta(hours=1),
        created_at=at - timedelta(hours=2),
        updated_at=at,
        closed_at=at,
        attempts=1,
    )
    CallbackAttempt.objects.create(
        callback=callback,
        number=1,
        agent=callback.created_by,
        at=at,
        outcome=policy.NO_VOICEMAIL if status == policy.LETTER_SENT else policy.ANSWERED,
        subject="System Outage Return Call – Answered",
        notes="Spoke to Mr Jones at 12 Elm Street",
    )
    if status == policy.LETTER_SENT:
        Letter.objects.create(
            callback=callback,
            status=Letter.Status.SENT,
            name=customer.name,
            address=customer.address,
            postal_code="20001",
            produced_at=at,
            sent_at=at,
        )
    return callback


def _counts():
    return sorted(CallbackRequest.objects.values_list("status", "outage_id", "attempts"))


def test_retention_defaults_to_400_days():
    assert timedelta(days=400) == settings.PERSONAL_DATA_RETENTION


@pytest.mark.django_db
def test_beat_task_removes_personal_data_after_the_retention_period_only():
    done = _finished(policy.DONE, at=T0)
    sent = _finished(policy.LETTER_SENT, at=T0)
    cancelled = _finished(policy.CANCELLED, at=T0 + timedelta(days=30))
    still_open = CallbackFactory(status=policy.WAITING, created_at=T0, updated_at=T0)
    before = _counts()

    with time_machine.travel(T0 + timedelta(days=399), tick=False):
        assert tasks.anonymise_closed() == {"callbacks": 0, "attempts": 0, "letters": 0}

    removed_at = T0 + timedelta(days=401)
    with time_machine.travel(removed_at, tick=False):
        assert tasks.anonymise_closed() == {"callbacks": 2, "attempts": 2, "letters": 1}

    for callback in (done, sent):
        callback.refresh_from_db()
        assert callback.name == policy.REMOVED_NAME
        assert (callback.phone, callback.account_number, callback.notes) == ("", "", "")
        assert callback.call_reason == "" and callback.customer_id is None
        assert callback.personal_data_removed_at == removed_at
        assert callback.attempt_log.get().notes == ""
        assert callback.updated_at == T0  # the last change of the callback itself is kept
    letter = Letter.objects.get(callback=sent)
    assert (letter.name, letter.address, letter.postal_code) == (policy.REMOVED_NAME, "", "")
    cancelled.refresh_from_db()
    assert cancelled.name != policy.REMOVED_NAME and cancelled.notes  # 370 days: not yet
    still_open.refresh_from_db()
    assert still_open.personal_data_removed_at is None
    # What reports count is untouched: statuses, outages, attempts, call logs, letters.
    assert _counts() == before
    assert CallbackAttempt.objects.count() == 3 and Letter.objects.count() == 1

    with time_machine.travel(T0 + timedelta(days=431), tick=False):
        assert tasks.anonymise_closed() == {"callbacks": 1, "attempts": 1, "letters": 0}
        assert tasks.anonymise_closed() == {"callbacks": 0, "attempts": 0, "letters": 0}


@pytest.mark.django_db
def test_retention_period_is_a_setting(settings):
    settings.PERSONAL_DATA_RETENTION = timedelta(days=30)
    _finished(policy.DONE, at=T0)
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        assert tasks.anonymise_closed()["callbacks"] == 1


@pytest.mark.django_db
def test_service_takes_the_cutoff_and_now():
    _finished(policy.DONE, at=T0)
    counts = services.callbacks_anonymise_before(cutoff=T0 + timedelta(seconds=1), now=T0)
    assert counts["callbacks"] == 1


def test_beat_runs_the_retention_tasks_nightly():
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"callbacks.tasks.anonymise_closed", "outages.tasks.anonymise_reviewed"} <= schedule
