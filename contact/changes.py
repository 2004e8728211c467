"""Changes to a callback once it is filed, by the people working it and by the customer:
cancel and reopen, the numbers to call, the customer's preferred window, escalation to a team
lead, and the customer's own correction of the number (the self-service link).

Each change locks the callback's row, checks the rules (``contact.rules``, ``callbacks.policy``,
``schedule.policy``), writes it and leaves a ``CallbackEvent`` in the callback's timeline; a
refusal raises ``CallbackError`` with a message for the person and changes nothing. The
deadline arithmetic a window change needs (``set_deadline``, ``callback_window``) is
``callbacks``': the same code places a released callback's deadline."""

from datetime import UTC

from django.db import IntegrityError, transaction

from callbacks import conf, events, policy
from callbacks.models import CallbackRequest
from callbacks.services import (
    DEADLINE_FIELDS,
    CallbackError,
    callback_window,
    clean_numbers,
    deadline_reason,
    record_event,
    record_note,
    set_deadline,
)
from core.people import display_name
from core.roles import TEAM_LEAD, has_role
from schedule import policy as schedule

from . import rules

# Cancelling and reopening


def _refuse(exc):
    raise CallbackError(str(exc)) from exc


@transaction.atomic
def callback_cancel(*, callback, reason, now, actor=None, by_customer=False, note=""):
    """Cancel a callback: it leaves the queue at once (no agent holds it, no deadline is
    watched), keeps its attempts and timeline, and remembers what it was so a team lead can
    reopen it within a day (``callback_reopen``).

    Who: the agent who holds it or a team lead (``actor``), or the customer through the
    self-service link (``actor=None, by_customer=True``). ``reason``: one of
    ``policy.CANCEL_REASONS``; ``note`` is required for "Other". A letter not yet posted is
    cancelled with its callback (it leaves the letters queue)."""
    locked = CallbackRequest.objects.select_for_update(of=("self",)).get(pk=callback.pk)
    note = (note or "").strip()
    try:
        rules.check_cancel(
            status=locked.status,
            reason=reason,
            note=note,
            by_customer=by_customer,
            actor_id=actor.pk if actor is not None else None,
            assigned_to_id=locked.assigned_to_id,
            actor_is_lead=actor is not None and has_role(actor, TEAM_LEAD),
        )
    except policy.PolicyError as exc:
        _refuse(exc)
    who = "the customer" if by_customer else display_name(actor)
    why = policy.CANCEL_REASONS[reason] + (f": {note}" if note else "")
    record_event(
        locked,
        actor=None if by_customer else actor,
        now=now,
        from_status=locked.status,
        to_status=policy.CANCELLED,
        reason=f"Cancelled by {who}. {why}",
    )
    _save_cancelled(locked, reason=reason, note=note, now=now, by=None if by_customer else actor)
    return locked


def _save_cancelled(locked, *, reason, note, now, by):
    """The cancelled callback, remembering what it was (``by=None``: the customer did it)."""
    locked.cancelled_from = locked.status
    locked.status = policy.CANCELLED
    locked.cancel_reason = reason
    locked.cancel_note = note[:300]
    locked.cancelled_at = now
    locked.cancelled_by = by
    locked.cancelled_by_customer = by is None
    locked.closed_at = now
    locked.assigned_to = None
    locked.assigned_at = None
    locked.at_risk = False
    locked.updated_at = now
    locked.save(
        update_fields=[
            "cancelled_from",
            "status",
            "cancel_reason",
            "cancel_note",
            "cancelled_at",
            "cancelled_by",
            "cancelled_by_customer",
            "closed_at",
            "assigned_to",
            "assigned_at",
            "at_risk",
            "updated_at",
        ]
    )


@transaction.atomic
def callback_reopen(*, actor, now, callback, note=""):
    """A team lead brings back a callback cancelled less than a day ago: it returns to the
    status it had (never held by an agent), with its deadline if still ahead, otherwise due
    within the retry window. Refused when the customer has a newer open callback for the same
    outage and number (that one stands)."""
    if not has_role(actor, TEAM_LEAD):
        raise CallbackError("Only a team lead can reopen a cancelled callback.")
    locked = (
        CallbackRequest.objects.select_for_update(of=("self",))
        .select_related("outage")
        .get(pk=callback.pk)
    )
    if locked.status != policy.CANCELLED:
        raise CallbackError("Only a cancelled callback can be reopened.")
    restored = locked.outage_id is None or locked.outage.is_restored
    try:
        status = rules.status_on_cancel_reopen(
            cancelled_from=locked.cancelled_from,
            cancelled_at=locked.cancelled_at,
            now=now,
            outage_restored=restored,
        )
    except policy.PolicyError as exc:
        _refuse(exc)
    due_at = _reopened_due_at(locked, status=status, now=now)
    note = (note or "").strip()
    record_event(
        locked,
        actor=actor,
        now=now,
        from_status=policy.CANCELLED,
        to_status=status,
        reason=f"Reopened by {display_name(actor)}" + (f": {note}" if note else ""),
    )
    _save_reopened(locked, status=status, due_at=due_at, now=now)
    if status in policy.DISTRIBUTABLE_STATUSES:
        events.announce_work_due_on_commit()
    return locked


def _reopened_due_at(locked, *, status, now):
    """The deadline a reopened callback carries (none while its outage is down)."""
    if status == policy.WAITING:
        return None
    if locked.cancelled_from == policy.WAITING:  # restored since: due as a new release
        due_at = policy.first_due_at(
            restored_at=locked.outage.restored_at if locked.outage_id else now,
            filed_at=locked.created_at,
            rules=conf.rules(),
        )
        return rules.due_on_cancel_reopen(due_at=due_at, now=now, rules=conf.rules())
    if status == policy.LETTER:
        return locked.due_at
    return rules.due_on_cancel_reopen(due_at=locked.due_at, now=now, rules=conf.rules())


def _save_reopened(locked, *, status, due_at, now):
    """The callback back in ``status``, its cancellation forgotten; refused when the customer
    has another open callback for the same outage and number."""
    locked.status = status
    locked.due_at = due_at
    locked.released_at = locked.released_at or (now if due_at else None)
    locked.closed_at = None
    locked.at_risk = False
    locked.cancel_reason = ""
    locked.cancel_note = ""
    locked.cancelled_at = None
    locked.cancelled_by = None
    locked.cancelled_by_customer = False
    locked.cancelled_from = ""
    locked.updated_at = now
    try:
        with transaction.atomic():
            locked.save(
                update_fields=[
                    "status",
                    "due_at",
                    "released_at",
                    "closed_at",
                    "at_risk",
                    "cancel_reason",
                    "cancel_note",
                    "cancelled_at",
                    "cancelled_by",
                    "cancelled_by_customer",
                    "cancelled_from",
                    "updated_at",
                ]
            )
    except IntegrityError as exc:
        raise CallbackError(
            "The customer has another open callback for this outage and number: "
            "work that one instead."
        ) from exc


# Numbers, the customer's window, escalation


def _may_change(actor, callback):
    """The agent who holds a callback or a team lead may change it."""
    return has_role(actor, TEAM_LEAD) or (
        callback.assigned_to_id is not None and callback.assigned_to_id == actor.pk
    )


def _lock_open(callback, actor):
    locked = (
        CallbackRequest.objects.select_for_update(of=("self",))
        .select_related("outage")
        .get(pk=callback.pk)
    )
    if locked.status not in policy.OPEN_STATUSES:
        raise CallbackError(
            f"This callback is {policy.STATUS_LABELS.get(locked.status, locked.status)}: "
            "it can no longer be changed."
        )
    if not _may_change(actor, locked):
        raise CallbackError(
            "Only the agent who holds this callback, or a team lead, can change it."
        )
    return locked


@transaction.atomic
def callback_numbers_set(*, actor, now, callback, numbers):
    """Correct or add the callback's numbers (at most three, in the order to try). The next
    call goes to the first again. Refused when the first number would duplicate another open
    callback for the same outage."""
    locked = _lock_open(callback, actor)
    new = clean_numbers(list(numbers))
    if not new[0]:
        raise CallbackError("A callback needs at least one number.", field="phone")
    old = [locked.phone, locked.phone_2, locked.phone_3]
    if new == old:
        return locked
    locked.phone, locked.phone_2, locked.phone_3 = new
    locked.dial_position = 1
    locked.updated_at = now
    try:
        with transaction.atomic():
            locked.save(
                update_fields=["phone", "phone_2", "phone_3", "dial_position", "updated_at"]
            )
    except IntegrityError as exc:
        raise CallbackError(
            "Another open callback for this outage already has that first number.", field="phone"
        ) from exc
    record_note(
        locked,
        actor=actor,
        now=now,
        reason="Numbers changed: "
        + ", ".join(n for n in old if n)
        + " -> "
        + ", ".join(n for n in new if n),
    )
    return locked


def _target_due(callback, *, now):
    """The deadline the rules give a due callback before any window or calling hours: the
    first target, or the retry window after the last counted attempt."""
    rules = conf.rules()
    if callback.status == policy.RETRY and callback.last_attempt_at is not None:
        return callback.last_attempt_at + rules.retry_window  # aware UTC: real elapsed time
    restored_at = (
        callback.outage.restored_at
        if callback.outage_id and callback.outage.restored_at
        else callback.created_at
    )
    return policy.first_due_at(restored_at=restored_at, filed_at=callback.created_at, rules=rules)


@transaction.atomic
def callback_window_set(
    *, actor, now, callback, preferred_window, window_start=None, window_end=None
):
    """Record when the customer wants the call. A due callback gets its deadline again from
    the rules (its target, moved by the new window and calling hours); a waiting one keeps the
    window for its release."""
    locked = _lock_open(callback, actor)
    if preferred_window not in schedule.WINDOW_LABELS:
        raise CallbackError("Choose when the customer wants the call.", field="preferred_window")
    before = locked.get_preferred_window_display()
    locked.preferred_window = preferred_window
    locked.window_start = window_start if preferred_window == schedule.SLOT else None
    locked.window_end = window_end if preferred_window == schedule.SLOT else None
    reason = f"Preferred window: {before} -> {locked.get_preferred_window_display()}"
    try:
        if locked.status == policy.WAITING:
            callback_window(locked, due_from=now)  # checks a slot
        else:
            plan = set_deadline(locked, target_due=_target_due(locked, now=now), released_at=now)
            note = deadline_reason(plan, locked)
            reason += f"; due {locked.due_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
            if note:
                reason += f"; {note}"
            if locked.due_at > now:
                locked.breached_at = None
                locked.at_risk = False
    except policy.PolicyError as exc:
        raise CallbackError(str(exc), field="window_start") from exc
    if locked.released_at is None and locked.status != policy.WAITING:
        locked.released_at = now
    locked.updated_at = now
    locked.save(update_fields=[*DEADLINE_FIELDS, "breached_at", "at_risk", "updated_at"])
    record_note(
        locked,
        actor=actor,
        now=now,
        reason=reason,
    )
    return locked


@transaction.atomic
def callback_escalate(*, actor, now, callback, reason):
    """An agent hands a callback to the team leads ("customer asks for someone senior"): it
    leaves the agent (and the distribution) and waits in the team leads' queue, due
    ``CALLBACK_ESCALATION_TARGET`` from now in calling hours. A team lead works it with the
    same outcome buttons."""
    reason = (reason or "").strip()
    if not reason:
        raise CallbackError("Say why the callback goes to a team lead.", field="reason")
    locked = _lock_open(callback, actor)
    if locked.status not in policy.WORKABLE_STATUSES:
        raise CallbackError("Only a due callback can be escalated.")
    if locked.escalated_at is not None:
        raise CallbackError("This callback is already with the team leads.")
    status = locked.status
    if locked.assigned_to_id is not None:
        status = policy.status_after_unassign(status)
    due = schedule.escalation_due_at(
        now=now,
        target=conf.escalation_target(),
        hours=conf.calling_hours(),
        min_calling=conf.min_calling_time(),
    )
    record_event(
        locked,
        actor=actor,
        now=now,
        from_status=locked.status,
        to_status=status,
        reason=f"Escalated to a team lead by {display_name(actor)}: {reason}"[:300],
    )
    locked.status = status
    locked.assigned_to = None
    locked.assigned_at = None
    locked.escalated_at = now
    locked.escalated_by = actor
    locked.escalation_reason = reason[:300]
    locked.escalation_due_at = due
    locked.updated_at = now
    locked.save(
        update_fields=[
            "status",
            "assigned_to",
            "assigned_at",
            "escalated_at",
            "escalated_by",
            "escalation_reason",
            "escalation_due_at",
            "updated_at",
        ]
    )
    return locked


# The customer's own correction (the public page's signed link)


@transaction.atomic
def callback_change_phone(*, actor, now, callback, phone, reason):
    """Correct the first number to call on an open callback, as the customer asks through the
    self-service link (``actor``: the account the web page acts as). Refused when that number
    already has an open callback for the same outage (one per phone per outage)."""
    locked = CallbackRequest.objects.select_for_update(of=("self",)).get(pk=callback.pk)
    if locked.status not in policy.OPEN_STATUSES:
        raise CallbackError("This callback is closed: its number can no longer be changed.")
    if phone == locked.phone:
        return locked
    clash = (
        CallbackRequest.objects.open()
        .filter(outage_id=locked.outage_id, phone=phone)
        .exclude(pk=locked.pk)
        .exists()
    )
    if clash and locked.outage_id is not None:
        raise CallbackError(
            "That number already has a callback request for this outage.", field="phone"
        )
    record_note(
        locked,
        actor=actor,
        now=now,
        reason=f"{reason}: number changed, ending {locked.phone[-4:]} -> {phone[-4:]}",
    )
    locked.phone = phone
    locked.dial_position = 1
    locked.updated_at = now
    locked.save(update_fields=["phone", "dial_position", "updated_at"])
    return locked
