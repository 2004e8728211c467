"""Every write to callbacks: filing, release, return to waiting, the sweep, attempts (call
logs), letters, and the "still without service" flag on an outage.

Set-based where many rows move (a restoration can release thousands): a few statements
whatever the count, never a loop of ``save()``. Each state change leaves a ``CallbackEvent``.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone
from django.utils.formats import date_format

from core.errors import ServiceError
from core.roles import TEAM_LEAD, has_role
from core.validation import MERGED_NOTES_MAX_LENGTH
from outages import lifecycle
from outages.models import Outage

from . import conf, events, policy
from .models import CallbackAttempt, CallbackEvent, CallbackRequest, InboundCall, Letter

SYSTEM_RELEASE_REASON = "Outage restored: released with its deadline"
SYSTEM_REOPEN_REASON = "Outage reopened: back to waiting"
# A release at least this large refreshes the callbacks table's planner statistics.
ANALYZE_AFTER = 10_000


class CallbackError(ServiceError):
    """A refused change to a callback, with a message for the agent or team lead."""


@dataclass
class Filing:
    callback: CallbackRequest
    merged: bool


def record_event(callback, *, actor, now, from_status, to_status, reason):
    """The timeline row every change of one callback leaves (who, when, from, to, why)."""
    events.announce_on_commit()
    return CallbackEvent.objects.create(
        callback=callback,
        actor=actor,
        at=now,
        from_status=from_status,
        to_status=to_status,
        reason=reason[: CallbackEvent._meta.get_field("reason").max_length],
    )


NOTES_FULL_MARK = " […notes full: see the callback's history]"


def _merge_note(existing, *, actor, now, call_reason, notes):
    """The first filing's notes with a line per later call, never past
    ``MERGED_NOTES_MAX_LENGTH``: what does not fit is cut, and says so."""
    who = actor.get_full_name() or actor.get_username()
    # In the centre's zone, as every other time on the pages.
    stamp = date_format(timezone.localtime(now), "D j M, g:i A T")
    addition = f"[{stamp}, {who}] Called again: {call_reason}"
    if notes:
        addition += f" — {notes}"
    room = MERGED_NOTES_MAX_LENGTH - len(existing) - 1
    if room <= len(NOTES_FULL_MARK):
        return existing
    if len(addition) > room:
        addition = addition[: room - len(NOTES_FULL_MARK)] + NOTES_FULL_MARK
    return f"{existing}\n{addition}".strip()


def callback_file(
    *,
    actor,
    now,
    name,
    phone,
    call_reason,
    outage=None,
    outage_id=None,
    customer=None,
    account_number="",
    category="",
    subcategory="",
    item="",
    notes="",
    preferred_window=CallbackRequest.ContactWindow.ANY,
    ticket_reference="",
    window_start=None,
    window_end=None,
    phone_2="",
    phone_3="",
    channel=policy.AGENT_CHANNEL,
):
    """File a callback request. A second filing for the same phone and outage while the first
    is still open is merged into it (``Filing.merged``) instead of creating a duplicate.

    ``preferred_window``: when the customer wants the call (``policy.WINDOW_LABELS``); a
    specific time (``SLOT``) comes with ``window_start`` and ``window_end``. ``phone_2`` and
    ``phone_3``: more numbers, tried in that order after ``phone``. ``outage_id`` instead of
    ``outage`` when the caller has not read it (the live form): it is read once, here, under
    its lock (``Outage.DoesNotExist`` when there is none)."""
    if outage is not None:
        outage_id = outage.pk
    window_start, window_end = _slot_on_filing(
        preferred_window, window_start=window_start, window_end=window_end, now=now
    )
    numbers = _clean_numbers([phone, phone_2, phone_3])
    fields = dict(
        name=name,
        phone=phone,
        call_reason=call_reason,
        customer=customer,
        account_number=account_number or (customer.account_number if customer else ""),
        category=category,
        subcategory=subcategory,
        item=item,
        notes=notes,
        preferred_window=preferred_window,
        ticket_reference=ticket_reference,
        window_start=window_start,
        window_end=window_end,
        phone_2=numbers[1],
        phone_3=numbers[2],
        channel=channel,
    )
    for _ in range(3):  # a concurrent first filing may win the unique constraint: then merge
        try:
            with transaction.atomic():
                return _file_or_merge(actor=actor, now=now, outage_id=outage_id, fields=fields)
        except IntegrityError:
            continue
    raise CallbackError("This callback could not be saved; try again.")


def _slot_on_filing(preferred_window, *, window_start, window_end, now):
    """The specific time asked for, checked (a refusal names the field); none for the other
    windows."""
    if preferred_window != policy.SLOT:
        return None, None
    try:
        policy.window_bounds(
            choice=policy.SLOT,
            filed_at=now,
            due_from=now,
            hours=conf.calling_hours(),
            slot_start=window_start,
            slot_end=window_end,
        )
    except policy.PolicyError as exc:
        raise CallbackError(str(exc), field="window_start") from exc
    return window_start, window_end


def _file_or_merge(*, actor, now, outage_id, fields):
    outage = None
    if outage_id is not None:
        # The caller's copy may be stale (restored since the page loaded): read it now.
        outage = _outage_shared(outage_id)
        if outage.status == lifecycle.CLOSED:
            raise CallbackError(
                f"The outage “{outage.title}” is closed: file the callback without it "
                "(reload the page to see what covers the caller now).",
                field="outage",
            )
    existing = (
        CallbackRequest.objects.select_for_update()
        .open()
        .filter(outage=outage, phone=fields["phone"])
        .first()
        if outage is not None
        else None
    )
    if existing:
        existing.outage = outage  # the row just read: the confirmation needs no other read
        return _merge_filing(existing, actor=actor, now=now, fields=fields)

    restored = outage is None or outage.is_restored
    status = policy.status_on_filing(outage_restored=restored)
    due_at = None
    callback = CallbackRequest(
        outage=outage,
        status=status,
        created_by=actor,
        created_at=now,
        updated_at=now,
        **fields,
    )
    deadline_note = ""
    if status == policy.QUEUED:
        restored_at = outage.restored_at if outage is not None else now
        target = policy.first_due_at(restored_at=restored_at, filed_at=now, rules=conf.rules())
        plan = _set_deadline(callback, target_due=target, released_at=now)
        due_at = callback.due_at
        deadline_note = _deadline_reason(plan, callback)
    callback.save(force_insert=True)
    reason = "Filed" + (" after restoration: due from filing" if due_at else "")
    record_event(
        callback,
        actor=actor,
        now=now,
        from_status="",
        to_status=status,
        reason=reason + (f"; {deadline_note}" if deadline_note else ""),
    )
    if due_at:
        events.announce_work_due_on_commit()  # workload distributes; the beat backs it up
    transaction.on_commit(lambda: events.announce_callback_filed(callback_id=callback.pk))
    return Filing(callback=callback, merged=False)


def _merge_filing(existing, *, actor, now, fields):
    """A second filing for the same phone and outage: a line in the open callback's notes."""
    existing.notes = _merge_note(
        existing.notes,
        actor=actor,
        now=now,
        call_reason=fields["call_reason"],
        notes=fields["notes"],
    )
    existing.updated_at = now
    existing.save(update_fields=["notes", "updated_at"])
    record_event(
        existing,
        actor=actor,
        now=now,
        from_status=existing.status,
        to_status=existing.status,
        reason="Filed again for the same phone and outage: merged",
    )
    return Filing(callback=existing, merged=True)


def _outage_shared(outage_id):
    """Read the outage under a shared lock (PostgreSQL ``FOR SHARE``). Filings do not block
    each other, but a restoration or a release (``FOR UPDATE`` on the outage) waits for the
    filings in flight, and a filing waits for them: a callback is never filed as waiting
    against an outage whose restoration has just committed, nor slips in between the two
    statements of a release (which would move it without its event). SQLite serialises
    writers anyway."""
    if connection.vendor != "postgresql":
        return Outage.objects.get(pk=outage_id)
    table = Outage._meta.db_table
    rows = list(Outage.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [outage_id]))
    if not rows:
        raise Outage.DoesNotExist(f"No outage {outage_id}.")
    return rows[0]


def _clean_numbers(numbers):
    """Numbers in order, blanks and repeats dropped, padded to ``policy.MAX_NUMBERS``."""
    kept = []
    for number in numbers:
        if number and number not in kept:
            kept.append(number)
    if len(kept) > policy.MAX_NUMBERS:
        raise CallbackError(f"A callback carries at most {policy.MAX_NUMBERS} numbers.")
    return kept + [""] * (policy.MAX_NUMBERS - len(kept))


def _window(callback, *, due_from):
    return policy.window_bounds(
        choice=callback.preferred_window,
        filed_at=callback.created_at,
        due_from=due_from,
        hours=conf.calling_hours(),
        slot_start=callback.window_start,
        slot_end=callback.window_end,
    )


def _set_deadline(callback, *, target_due, released_at):
    """Give one callback (in memory) its deadline: the target, moved by the customer's window
    and by calling hours (``policy.plan_deadline``). Returns the plan. A window that has
    already passed is dropped (the callback is due as usual)."""
    window = _window(callback, due_from=released_at)
    if window.passed:
        callback.preferred_window = policy.ANY_TIME
    callback.window_start, callback.window_end = window.start, window.end
    plan = policy.plan_deadline(
        target_due=target_due,
        released_at=released_at,
        window=window,
        hours=conf.calling_hours(),
        grace=conf.window_grace(),
        min_calling=conf.min_calling_time(),
    )
    callback.due_at = plan.due_at
    callback.released_at = released_at
    callback.rescheduled_by_customer = plan.rescheduled
    callback.deadline_moved = plan.hours
    return plan


DEADLINE_FIELDS = [
    "preferred_window",
    "window_start",
    "window_end",
    "due_at",
    "released_at",
    "rescheduled_by_customer",
    "deadline_moved",
]


def _deadline_reason(plan, callback):
    parts = []
    if plan.rescheduled:
        parts.append(
            f"Due after the customer's window ({callback.get_preferred_window_display()}): "
            "rescheduled at their request"
        )
    if plan.hours == policy.BROUGHT_FORWARD:
        parts.append("deadline brought forward to the close of calling hours")
    elif plan.hours == policy.MOVED_TO_OPENING:
        parts.append("deadline moved to the next opening of calling hours")
    return "; ".join(parts)


@transaction.atomic
def callbacks_release_for_outage(*, outage_id, now):
    """Move a restored outage's waiting callbacks to queued, each due ``CALLBACK_TARGET`` after
    the later of restoration and filing. Two statements whatever the count; running it again
    finds nothing waiting and changes nothing. Returns how many were released."""
    outage = Outage.objects.select_for_update().filter(pk=outage_id).first()
    if outage is None or not outage.is_restored:
        return 0
    target = conf.rules().target
    waiting = CallbackRequest.objects.filter(outage_id=outage_id, status=policy.WAITING)
    _events_for(waiting, now=now, to_status=policy.QUEUED, reason=SYSTEM_RELEASE_REASON)
    released = waiting.update(
        status=policy.QUEUED,
        due_at=ExpressionWrapper(
            Greatest(Value(outage.restored_at), F("created_at"))
            + Value(target, output_field=DurationField()),
            output_field=DateTimeField(),
        ),
        released_at=now,
        updated_at=now,
    )
    if released:
        _plan_released(outage_id=outage_id, now=now)
        if released >= ANALYZE_AFTER and connection.vendor == "postgresql":
            # So many rows changed status that the planner's statistics no longer describe the
            # queue until autovacuum comes by: the distribution that follows could be planned
            # for a handful of rows (a nested loop over 100,000 was seen to run for minutes).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {CallbackRequest._meta.db_table}")
        events.announce_work_due_on_commit()  # workload distributes; the beat backs it up
    # The queue changed shape: workload refreshes its staffing forecast for this outage.
    events.announce_released_on_commit(outage_id=outage_id)
    return released


def _plan_released(*, outage_id, now):
    """Apply the customers' windows and calling hours to the deadlines a release has just set.

    Set-based by group: the rows that share a window choice, a given slot, a filing day (for
    "tomorrow morning") and a target share their deadline, so one UPDATE (and one INSERT of
    events) per group, never per row. A release has a handful of groups (every "any time"
    callback of an outage shares its target); only specific slots make one group each."""
    zone = conf.calling_hours().zone
    batch = CallbackRequest.objects.filter(
        outage_id=outage_id, status=policy.QUEUED, released_at=now
    )
    groups = (
        batch.annotate(filed_day=TruncDate("created_at", tzinfo=zone))
        .values("preferred_window", "window_start", "window_end", "due_at", "filed_day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for group in list(groups):
        probe = CallbackRequest(
            preferred_window=group["preferred_window"],
            window_start=group["window_start"],
            window_end=group["window_end"],
            created_at=datetime.combine(group["filed_day"], time(12), tzinfo=zone),
        )
        plan = _set_deadline(probe, target_due=group["due_at"], released_at=now)
        changes = {name: getattr(probe, name) for name in DEADLINE_FIELDS}
        if all(
            changes[name] == group.get(name, None)
            for name in ("preferred_window", "window_start", "window_end", "due_at")
        ) and not (plan.rescheduled or plan.hours):
            continue
        rows = batch.filter(
            preferred_window=group["preferred_window"],
            window_start=group["window_start"],
            window_end=group["window_end"],
            due_at=group["due_at"],
        ).annotate(filed_day=TruncDate("created_at", tzinfo=zone))
        rows = rows.filter(filed_day=group["filed_day"])
        reason = _deadline_reason(plan, probe)
        if reason:
            _events_for(rows, now=now, to_status=None, reason=reason[:300])
        CallbackRequest.objects.filter(pk__in=rows.values("pk")).update(**changes, updated_at=now)


@transaction.atomic
def callbacks_return_to_waiting(*, outage_id, now):
    """A reopened outage: callbacks nobody has tried yet go back to waiting (no deadline, no
    agent). Anything already attempted keeps its course."""
    outage = Outage.objects.select_for_update().filter(pk=outage_id).first()
    if outage is None or outage.status not in lifecycle.OPEN_STATUSES:
        return 0
    untried = CallbackRequest.objects.filter(
        outage_id=outage_id, status__in=[policy.QUEUED, policy.ASSIGNED], attempts=0
    )
    _events_for(untried, now=now, to_status=policy.WAITING, reason=SYSTEM_REOPEN_REASON)
    return untried.update(
        status=policy.WAITING,
        due_at=None,
        released_at=None,
        assigned_to=None,
        assigned_at=None,
        at_risk=False,
        breached_at=None,  # the next restoration sets a new deadline, watched afresh
        updated_at=now,
    )


def _events_for(queryset, *, now, to_status, reason, actor_id=None):
    """One INSERT ... SELECT writing an event for every row the queryset is about to move.
    ``to_status=None``: the status does not change (a flag such as a missed deadline)."""
    events.announce_on_commit()
    rows = queryset.values_list("id", "status")
    sql, params = rows.query.sql_with_params()
    table = CallbackEvent._meta.db_table
    to_sql = "sub.status" if to_status is None else "%s"
    to_params = [] if to_status is None else [to_status]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (callback_id, from_status, at, actor_id, to_status, reason) "
            f"SELECT sub.id, sub.status, %s, %s, {to_sql}, %s FROM ({sql}) AS sub",
            # Adapted as Django writes datetimes, so text-stored times (SQLite) sort alike.
            [connection.ops.adapt_datetimefield_value(now), actor_id, *to_params, reason, *params],
        )


def record_events(queryset, *, now, to_status, reason, actor_id=None):
    """The timeline rows of a set-based change: ``record_event`` for every callback of
    ``queryset``, in one statement."""
    return _events_for(queryset, now=now, to_status=to_status, reason=reason, actor_id=actor_id)


def callbacks_sweep(*, now):
    """Redo whatever a lost message missed, and watch the deadlines. Safe to run every minute,
    and twice.

    * releases the waiting callbacks of restored outages (a lost restoration message);
    * returns untried callbacks of reopened outages to waiting (a lost reopen message);
    * marks callbacks at risk (deadline within ``CALLBACK_AT_RISK_MARGIN``, or passed) and
      records each missed deadline once (``breached_at`` and an event).

    Retries whose window is closing come to the front by the queue's own order: every list of
    due work (the queue, an agent's callbacks, claiming the next one) is earliest deadline
    first, and a retry's deadline is its 2-hour window, so a retry about to close sorts ahead
    of first attempts due later. The sweep flags it ``at_risk`` so the boards show it.
    """
    released = 0
    pending = (
        CallbackRequest.objects.filter(status=policy.WAITING, outage__restored_at__isnull=False)
        .values_list("outage_id", flat=True)
        .distinct()
    )
    for outage_id in list(pending):  # one statement pair per outage, not per callback
        released += callbacks_release_for_outage(outage_id=outage_id, now=now)
    returned = 0
    reopened = (
        CallbackRequest.objects.filter(
            status__in=[policy.QUEUED, policy.ASSIGNED],
            attempts=0,
            outage__status__in=lifecycle.OPEN_STATUSES,
        )
        .values_list("outage_id", flat=True)
        .distinct()
    )
    for outage_id in list(reopened):
        returned += callbacks_return_to_waiting(outage_id=outage_id, now=now)
    watched = callbacks_watch_deadlines(now=now)
    return {"released": released, "returned": returned, **watched}


AT_RISK_REASON = "Deadline close: at risk"
BREACH_REASON = "Deadline missed: not called in time"


@transaction.atomic
def callbacks_watch_deadlines(*, now):
    """Flag workable callbacks whose deadline is within the at-risk margin (or passed), and
    record each missed deadline once. Locks the rows it moves, so an attempt being recorded at
    the same moment is either seen whole or not at all. A few statements whatever the count."""
    margin = conf.rules().at_risk_margin
    workable = CallbackRequest.objects.workable()
    at_risk_ids = list(
        workable.filter(at_risk=False, due_at__lte=now + margin)
        .select_for_update()
        .values_list("id", flat=True)
    )
    breached_ids = list(
        workable.filter(breached_at__isnull=True, due_at__lt=now)
        .select_for_update()
        .values_list("id", flat=True)
    )
    if at_risk_ids:
        rows = CallbackRequest.objects.filter(id__in=at_risk_ids)
        _events_for(rows, now=now, to_status=None, reason=AT_RISK_REASON)
        rows.update(at_risk=True, updated_at=now)
    if breached_ids:
        rows = CallbackRequest.objects.filter(id__in=breached_ids)
        _events_for(rows, now=now, to_status=None, reason=BREACH_REASON)
        rows.update(breached_at=now, at_risk=True, updated_at=now)
    return {"at_risk": len(at_risk_ids), "breached": len(breached_ids)}


# Attempts (call logs), letters, and the outage flag


# Cancelling and reopening


def _who(user):
    return user.get_full_name() or user.get_username()


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
        policy.check_cancel(
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
    who = "the customer" if by_customer else _who(actor)
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
        status = policy.status_on_cancel_reopen(
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
        reason=f"Reopened by {_who(actor)}" + (f": {note}" if note else ""),
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
        return policy.due_on_cancel_reopen(due_at=due_at, now=now, rules=conf.rules())
    if status == policy.LETTER:
        return locked.due_at
    return policy.due_on_cancel_reopen(due_at=locked.due_at, now=now, rules=conf.rules())


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
    new = _clean_numbers(list(numbers))
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
    record_event(
        locked,
        actor=actor,
        now=now,
        from_status=locked.status,
        to_status=locked.status,
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
    if preferred_window not in policy.WINDOW_LABELS:
        raise CallbackError("Choose when the customer wants the call.", field="preferred_window")
    before = locked.get_preferred_window_display()
    locked.preferred_window = preferred_window
    locked.window_start = window_start if preferred_window == policy.SLOT else None
    locked.window_end = window_end if preferred_window == policy.SLOT else None
    reason = f"Preferred window: {before} -> {locked.get_preferred_window_display()}"
    try:
        if locked.status == policy.WAITING:
            _window(locked, due_from=now)  # checks a slot
        else:
            plan = _set_deadline(locked, target_due=_target_due(locked, now=now), released_at=now)
            note = _deadline_reason(plan, locked)
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
    record_event(
        locked,
        actor=actor,
        now=now,
        from_status=locked.status,
        to_status=locked.status,
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
    due = policy.escalation_due_at(
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
        reason=f"Escalated to a team lead by {_who(actor)}: {reason}"[:300],
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


# Personal data: retention and erasure on request


ERASURE_REASON = "Customer's personal data erased on request: nothing more to call or send"


def _remove_personal_data(callbacks, *, now):
    """Remove names, phones, account numbers, free text and the link to the directory from
    ``callbacks`` (a queryset) and from their attempts' notes and letters' addresses. The rows
    stay (statuses, deadlines, categories, outage, attempt outcomes), so every count a report
    makes is unchanged. A few statements whatever the count; returns what changed."""
    ids = callbacks.values("id")
    attempts = (
        CallbackAttempt.objects.filter(callback_id__in=ids).exclude(notes="").update(notes="")
    )
    letters = Letter.objects.filter(callback_id__in=ids).update(
        name=policy.REMOVED_NAME, address="", postal_code=""
    )
    removed = CallbackRequest.objects.filter(id__in=ids).update(
        name=policy.REMOVED_NAME,
        phone="",
        account_number="",
        call_reason="",
        notes="",
        ticket_reference="",
        customer=None,
        personal_data_removed_at=now,
    )
    return {"callbacks": removed, "attempts": attempts, "letters": letters}


@transaction.atomic
def callbacks_anonymise_before(*, cutoff, now):
    """Retention: callbacks finished (done, letter sent, cancelled) with no change since
    before ``cutoff`` lose their personal data. Safe to run again: what was removed is not
    counted twice."""
    finished = CallbackRequest.objects.filter(
        status__in=policy.TERMINAL_STATUSES,
        updated_at__lt=cutoff,
        personal_data_removed_at__isnull=True,
    )
    return _remove_personal_data(finished, now=now)


@transaction.atomic
def callbacks_erase_for_customer(*, customer_id, phone, account_number, now):
    """Erasure on request: every callback of the customer (linked to the directory row, or
    filed by hand with the same phone or account number) loses its personal data, and what is
    still open for them is cancelled with an event."""
    mine = Q(customer_id=customer_id)
    if phone:
        mine |= Q(customer__isnull=True, phone=phone)
    if account_number:
        mine |= Q(customer__isnull=True, account_number=account_number)
    theirs = CallbackRequest.objects.filter(mine)
    still_open = theirs.filter(status__in=policy.CANCELLED_ON_ERASURE).select_for_update()
    open_ids = list(still_open.values_list("id", flat=True))
    cancelled = 0
    if open_ids:
        rows = CallbackRequest.objects.filter(id__in=open_ids)
        _events_for(rows, now=now, to_status=policy.CANCELLED, reason=ERASURE_REASON)
        cancelled = rows.update(
            status=policy.CANCELLED,
            # A waiting callback has no deadline; a cancelled one must have a date (the
            # constraint): the moment it was cancelled.
            due_at=Coalesce(F("due_at"), Value(now, output_field=DateTimeField())),
            assigned_to=None,
            assigned_at=None,
            at_risk=False,
            closed_at=now,
            updated_at=now,
        )
    # Select by id first: removing the data also removes what matched them.
    ids = list(theirs.values_list("id", flat=True))
    counts = _remove_personal_data(CallbackRequest.objects.filter(id__in=ids), now=now)
    # The agents' one-line notes of their inbound calls may quote the customer: they go too
    # (the calls stay: who took them, when, about which outage).
    inbound_notes = (
        InboundCall.objects.filter(customer_id=customer_id).exclude(note="").update(note="")
    )
    return {**counts, "cancelled": cancelled, "inbound_call_notes": inbound_notes}


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
    record_event(
        locked,
        actor=actor,
        now=now,
        from_status=locked.status,
        to_status=locked.status,
        reason=f"{reason}: number changed, ending {locked.phone[-4:]} -> {phone[-4:]}",
    )
    locked.phone = phone
    locked.dial_position = 1
    locked.updated_at = now
    locked.save(update_fields=["phone", "dial_position", "updated_at"])
    return locked
