"""The rules of changing a callback once filed: who may cancel it and why, what a reopened
callback returns to and when it is due, and which of its numbers is dialled after a wrong one.

Pure, like ``callbacks.policy`` (whose statuses, reasons and errors these rules use): no
database and no clock; every datetime must be aware.
"""

from datetime import timedelta

from callbacks import policy
from schedule.policy import as_utc, aware, later_by

# Statuses a callback may be cancelled from: still to be called, or a letter not yet posted.
CANCELLABLE_STATUSES = frozenset(
    s for s, targets in policy.ALLOWED_TRANSITIONS.items() if policy.CANCELLED in targets
)

REOPEN_PERIOD = timedelta(days=1)


def check_cancel(*, status, reason, note, by_customer, actor_id, assigned_to_id, actor_is_lead):
    """Raise ``PolicyError`` unless this cancellation is allowed: the customer (self-service),
    a team lead, or the agent who holds the callback; a known reason, with a note for "Other"."""
    if reason not in policy.CANCEL_REASONS:
        raise policy.PolicyError("Choose why the callback is cancelled.")
    if reason == policy.OTHER and not (note or "").strip():
        raise policy.PolicyError("Say why the callback is cancelled.")
    if not by_customer:
        if actor_id is None:
            raise policy.PolicyError(
                "A cancellation needs the person who made it, or the customer."
            )
        if not actor_is_lead and (assigned_to_id is None or assigned_to_id != actor_id):
            raise policy.PolicyError(
                "Only the agent who holds this callback, or a team lead, can cancel it."
            )
    if status not in CANCELLABLE_STATUSES:
        raise policy.PolicyError(
            f"This callback is {policy.status_label(status)}: it cannot be cancelled."
        )


def status_on_cancel_reopen(*, cancelled_from, cancelled_at, now, outage_restored):
    """A team lead brings a cancelled callback back (within ``REOPEN_PERIOD`` of the
    cancellation): it returns to what it was, except that it is never held by an agent any more
    (an assigned callback comes back queued) and a callback waiting for an outage that has
    been restored since comes back queued. Cancelled is otherwise terminal: the ordinary state
    machine has no way out of it."""
    aware(cancelled_at, "cancelled_at")
    aware(now, "now")
    if as_utc(now) - as_utc(cancelled_at) > REOPEN_PERIOD:
        raise policy.PolicyError("A cancelled callback can only be reopened within a day.")
    if cancelled_from not in CANCELLABLE_STATUSES:
        raise policy.PolicyError("This callback cannot be reopened: its earlier status is unknown.")
    if cancelled_from == policy.WAITING:
        return policy.QUEUED if outage_restored else policy.WAITING
    if cancelled_from == policy.ASSIGNED:
        return policy.QUEUED
    return cancelled_from


def due_on_cancel_reopen(*, due_at, now, rules):
    """The deadline of a reopened callback: the one it had when still ahead, otherwise the
    retry window from now (it has been waiting already; it is not given the whole target)."""
    aware(now, "now")
    if due_at is not None and as_utc(aware(due_at, "due_at")) > as_utc(now):
        return due_at
    return later_by(now, rules.retry_window)


def next_number_position(*, position, numbers):
    """The position (from 1) of the number to dial after a wrong number on ``position``, or
    ``None`` when it was the last one. ``numbers``: the callback's numbers in order, blanks
    allowed (they are skipped)."""
    for later in range(position + 1, len(numbers) + 1):
        if numbers[later - 1]:
            return later
    return None
