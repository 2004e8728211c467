"""Cancelling and reopening a callback, and the number dialled after a wrong one."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callbacks.policy import (
    ASSIGNED,
    CANCELLED,
    DEFAULT_RULES,
    DONE,
    LETTER,
    LETTER_SENT,
    QUEUED,
    RETRY,
    WAITING,
    PolicyError,
)
from contact import rules

NEW_YORK = ZoneInfo("America/New_York")
RESTORED = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
NAIVE = datetime(2026, 5, 4, 8, 0)


# Numbers


@pytest.mark.parametrize(
    "position, numbers, expected",
    [
        (1, ["+1", "+2", "+3"], 2),
        (2, ["+1", "+2", "+3"], 3),
        (3, ["+1", "+2", "+3"], None),
        (1, ["+1", "", "+3"], 3),
        (1, ["+1", "", ""], None),
        (1, ["+1"], None),
    ],
)
def test_the_next_number_after_a_wrong_one(position, numbers, expected):
    assert rules.next_number_position(position=position, numbers=numbers) == expected


# Cancelling and reopening


@pytest.mark.parametrize(
    "cancelled_from, restored, expected",
    [
        (WAITING, False, WAITING),
        (WAITING, True, QUEUED),  # restored since it was cancelled
        (QUEUED, True, QUEUED),
        (ASSIGNED, True, QUEUED),  # nobody holds a reopened callback
        (RETRY, True, RETRY),
        (LETTER, True, LETTER),
    ],
)
def test_a_reopened_callback_returns_to_what_it_was(cancelled_from, restored, expected):
    assert (
        rules.status_on_cancel_reopen(
            cancelled_from=cancelled_from,
            cancelled_at=RESTORED,
            now=RESTORED + rules.REOPEN_PERIOD,
            outage_restored=restored,
        )
        == expected
    )


@pytest.mark.parametrize("cancelled_from", [DONE, "", LETTER_SENT])
def test_a_callback_that_could_not_have_been_cancelled_is_not_reopened(cancelled_from):
    with pytest.raises(PolicyError):
        rules.status_on_cancel_reopen(
            cancelled_from=cancelled_from,
            cancelled_at=RESTORED,
            now=RESTORED,
            outage_restored=True,
        )


def test_reopening_closes_a_day_after_the_cancellation():
    with pytest.raises(PolicyError, match="within a day"):
        rules.status_on_cancel_reopen(
            cancelled_from=QUEUED,
            cancelled_at=RESTORED,
            now=RESTORED + rules.REOPEN_PERIOD + SECOND,
            outage_restored=True,
        )


@pytest.mark.parametrize(
    "due_at, expected",
    [
        (RESTORED + 3 * HOUR, RESTORED + 3 * HOUR),  # still ahead: kept
        (RESTORED, RESTORED + 2 * HOUR),  # passed: the retry window from now
        (None, RESTORED + 2 * HOUR),
    ],
)
def test_the_deadline_of_a_reopened_callback(due_at, expected):
    assert rules.due_on_cancel_reopen(due_at=due_at, now=RESTORED, rules=DEFAULT_RULES) == expected


@pytest.mark.parametrize(
    "status, reason, note, by_customer, actor, holder, lead, message",
    [
        (QUEUED, "resolved", "", True, None, None, False, None),
        (ASSIGNED, "duplicate", "", False, 1, 1, False, None),
        (ASSIGNED, "duplicate", "", False, 2, 1, True, None),
        (LETTER, "customer_asked", "", False, 2, None, True, None),
        (ASSIGNED, "duplicate", "", False, 2, 1, False, "Only the agent"),
        (QUEUED, "duplicate", "", False, 2, None, False, "Only the agent"),
        (QUEUED, "duplicate", "", False, None, None, False, "needs the person"),
        (QUEUED, "other", " ", True, None, None, False, "Say why"),
        (QUEUED, "", "", True, None, None, False, "Choose why"),
        (DONE, "duplicate", "", True, None, None, False, "cannot be cancelled"),
        (CANCELLED, "duplicate", "", False, 2, None, True, "cannot be cancelled"),
    ],
)
def test_who_may_cancel_and_why(status, reason, note, by_customer, actor, holder, lead, message):
    def check():
        rules.check_cancel(
            status=status,
            reason=reason,
            note=note,
            by_customer=by_customer,
            actor_id=actor,
            assigned_to_id=holder,
            actor_is_lead=lead,
        )

    if message is None:
        check()
    else:
        with pytest.raises(PolicyError, match=message):
            check()
