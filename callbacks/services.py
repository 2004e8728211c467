"""Every write to callbacks' own life: filing, release with its deadline, return to waiting,
the sweep, the deadline watch, retention and erasure. Attempts, letters and the changes people
make to a callback (cancel, reopen, numbers, window, escalation) are ``contact``'s services,
built on the helpers here (``record_event``, ``set_deadline``, ``callback_window``).

Set-based where many rows move (a restoration can release thousands): a few statements
whatever the count, never a loop of ``save()``. Each state change leaves a ``CallbackEvent``.
"""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, time

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    TextField,
    Value,
)
from django.db.models.expressions import DatabaseDefault
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone
from django.utils.formats import date_format

from core.db import prepared_cursor
from core.errors import ServiceError
from core.people import display_name
from core.validation import MERGED_NOTES_MAX_LENGTH
from outages import lifecycle
from outages.models import Customer, Outage
from schedule import policy as schedule

from . import conf, events, policy
from .models import CallbackAttempt, CallbackEvent, CallbackRequest, Letter

SYSTEM_RELEASE_REASON = "Outage restored: released with its deadline"
# The timeline row of a new filing (both filing paths write it).
FILED_REASON = "Filed"
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


def record_note(callback, *, actor, now, reason):
    """A timeline row that changes no status (the numbers, the window, a flag)."""
    return record_event(
        callback,
        actor=actor,
        now=now,
        from_status=callback.status,
        to_status=callback.status,
        reason=reason,
    )


NOTES_FULL_MARK = " […notes full: see the callback's history]"


def _merge_note(existing, *, actor, now, call_reason, notes):
    """The first filing's notes with a line per later call, never past
    ``MERGED_NOTES_MAX_LENGTH``: what does not fit is cut, and says so."""
    who = display_name(actor)
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
    customer_id=None,
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

    ``preferred_window``: when the customer wants the call (``schedule.WINDOW_LABELS``); a
    specific time (``SLOT``) comes with ``window_start`` and ``window_end``. ``phone_2`` and
    ``phone_3``: more numbers, tried in that order after ``phone``. ``outage_id`` instead of
    ``outage`` when the caller has not read it (the live form): it is read once, here, under
    its lock (``Outage.DoesNotExist`` when there is none); ``customer_id`` likewise
    (``Customer.DoesNotExist``), the account number then the customer's unless one is given."""
    if outage is not None:
        outage_id = outage.pk
    window_start, window_end = _slot_on_filing(
        preferred_window, window_start=window_start, window_end=window_end, now=now
    )
    numbers = clean_numbers([phone, phone_2, phone_3])
    fields = dict(
        name=name,
        phone=phone,
        call_reason=call_reason,
        **({"customer": customer} if customer is not None else {"customer_id": customer_id}),
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
    return _file_retrying(actor=actor, now=now, outage_id=outage_id, fields=fields)


def _file_retrying(*, actor, now, outage_id, fields):
    at_once = outage_id is not None and connection.vendor == "postgresql"
    for _ in range(3):  # a concurrent first filing may win the unique constraint: then merge
        try:
            if at_once:
                # Inside a caller's transaction, a savepoint (a lost race is retried); else
                # the one statement is its own transaction.
                with transaction.atomic() if connection.in_atomic_block else nullcontext():
                    filing = _file_waiting_at_once(
                        actor=actor, now=now, outage_id=outage_id, fields=fields
                    )
                if filing is not None:
                    return filing
            with transaction.atomic():
                return _file_or_merge(actor=actor, now=now, outage_id=outage_id, fields=fields)
        except IntegrityError:
            continue
    raise CallbackError("This callback could not be saved; try again.")


def _slot_on_filing(preferred_window, *, window_start, window_end, now):
    """The specific time asked for, checked (a refusal names the field); none for the other
    windows."""
    if preferred_window != schedule.SLOT:
        return None, None
    try:
        schedule.window_bounds(
            choice=schedule.SLOT,
            filed_at=now,
            due_from=now,
            hours=conf.calling_hours(),
            slot_start=window_start,
            slot_end=window_end,
        )
    except schedule.ScheduleError as exc:
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
    _customer_account(fields)
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
        plan = set_deadline(callback, target_due=target, released_at=now)
        due_at = callback.due_at
        deadline_note = deadline_reason(plan, callback)
    callback.save(force_insert=True)
    reason = FILED_REASON + (" after restoration: due from filing" if due_at else "")
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


def _customer_account(fields):
    """The customer's account number when the filing names the customer by id and gives
    none (``Customer.DoesNotExist`` when there is no such customer)."""
    if fields.get("customer_id") is None or fields["account_number"]:
        return
    accounts = Customer.objects.filter(pk=fields["customer_id"]).values_list("account_number")
    found = accounts.first()
    if found is None:
        raise Customer.DoesNotExist(f"No customer {fields['customer_id']}.")
    fields["account_number"] = found[0]


# The filing of a callback that waits for its outage (most of them: the outage is not
# restored, the caller has no open callback for it) in one statement on PostgreSQL: the
# outage read under its shared lock, the customer's account number, the check for an open
# callback for the same phone, the callback and its timeline row. It writes nothing when the
# filing is anything else (a merge, a restored or closed outage): that filing then takes the
# general path, with what the statement read.
_AT_ONCE_SQL = {}


def _file_waiting_at_once(*, actor, now, outage_id, fields):
    """The filing in one statement, or ``None`` (nothing written) for the general path."""
    callback = CallbackRequest(
        outage_id=outage_id,
        status=policy.WAITING,
        created_by=actor,
        created_at=now,
        updated_at=now,
        **fields,
    )
    columns = [
        f
        for f in CallbackRequest._meta.concrete_fields
        if not f.primary_key and not isinstance(getattr(callback, f.attname), DatabaseDefault)
    ]
    params = {
        "outage": outage_id,
        "customer": callback.customer_id,
        "phone": callback.phone,
        "at": now,
        "actor": actor.pk,
        "reason": FILED_REASON,
        **{
            f.attname: f.get_db_prep_save(getattr(callback, f.attname), connection) for f in columns
        },
    }
    # Prepared: PostgreSQL planned it in more time than it ran.
    with prepared_cursor(connection) as cursor:
        cursor.execute(_at_once_sql(tuple(f.attname for f in columns)), params)
        row = cursor.fetchone()
    if row is None:
        raise Outage.DoesNotExist(f"No outage {outage_id}.")
    callback_id, customer_found, customer_account, *outage_row = row
    if callback.customer_id is not None and not customer_found:
        raise Customer.DoesNotExist(f"No customer {callback.customer_id}.")
    if not fields["account_number"] and customer_account:
        fields["account_number"] = customer_account
    if callback_id is None:
        return None
    callback.pk = callback_id
    callback.account_number = fields["account_number"]
    callback._state.adding, callback._state.db = False, connection.alias
    attnames = [f.attname for f in Outage._meta.concrete_fields]
    callback.outage = Outage.from_db(connection.alias, attnames, outage_row)
    events.announce_on_commit()
    transaction.on_commit(lambda: events.announce_callback_filed(callback_id=callback.pk))
    return Filing(callback=callback, merged=False)


def _cast(field):
    """The type a parameter is cast to (text for every string: the column checks its length)."""
    if isinstance(field, (CharField, TextField)):
        return "text"
    return field.db_type(connection)


def _at_once_sql(attnames):
    sql = _AT_ONCE_SQL.get(attnames)
    if sql is not None:
        return sql
    meta = CallbackRequest._meta
    fields = [meta.get_field(name) for name in attnames]
    values = [
        "COALESCE(NULLIF(%(account_number)s::text, ''), c.account_number, '')"
        if f.attname == "account_number"
        else f"%({f.attname})s::{_cast(f)}"
        for f in fields
    ]
    outage_columns = ", ".join(f"o.{f.column}" for f in Outage._meta.concrete_fields)
    open_statuses = ", ".join(f"'{status}'" for status in sorted(policy.OPEN_STATUSES))
    sql = f"""
        WITH o AS MATERIALIZED (
            SELECT * FROM {Outage._meta.db_table} WHERE id = %(outage)s::bigint FOR SHARE
        ), c AS (
            SELECT id, account_number FROM {Customer._meta.db_table}
            WHERE id = %(customer)s::bigint
        ), cb AS (
            INSERT INTO {meta.db_table} ({", ".join(f.column for f in fields)})
            SELECT {", ".join(values)} FROM o LEFT JOIN c ON true
            WHERE o.status NOT IN ('{lifecycle.RESTORED}', '{lifecycle.CLOSED}')
              AND (%(customer)s::bigint IS NULL OR c.id IS NOT NULL)
              AND NOT EXISTS (
                  SELECT FROM {meta.db_table} AS e
                  WHERE e.outage_id = %(outage)s::bigint AND e.phone = %(phone)s::text
                    AND e.status IN ({open_statuses})
              )
            RETURNING id
        ), ev AS (
            INSERT INTO {CallbackEvent._meta.db_table}
                (callback_id, at, actor_id, from_status, to_status, reason)
            SELECT id, %(at)s::timestamptz, %(actor)s::bigint, '', '{policy.WAITING}',
                   %(reason)s::text
            FROM cb
        )
        SELECT cb.id, c.id IS NOT NULL, c.account_number, {outage_columns}
        FROM o LEFT JOIN cb ON true LEFT JOIN c ON true"""
    _AT_ONCE_SQL[attnames] = sql
    return sql


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


def clean_numbers(numbers):
    """Numbers in order, blanks and repeats dropped, padded to ``policy.MAX_NUMBERS``."""
    kept = []
    for number in numbers:
        if number and number not in kept:
            kept.append(number)
    if len(kept) > policy.MAX_NUMBERS:
        raise CallbackError(f"A callback carries at most {policy.MAX_NUMBERS} numbers.")
    return kept + [""] * (policy.MAX_NUMBERS - len(kept))


def callback_window(callback, *, due_from):
    return schedule.window_bounds(
        choice=callback.preferred_window,
        filed_at=callback.created_at,
        due_from=due_from,
        hours=conf.calling_hours(),
        slot_start=callback.window_start,
        slot_end=callback.window_end,
    )


def set_deadline(callback, *, target_due, released_at):
    """Give one callback (in memory) its deadline: the target, moved by the customer's window
    and by calling hours (``schedule.plan_deadline``). Returns the plan. A window that has
    already passed is dropped (the callback is due as usual)."""
    window = callback_window(callback, due_from=released_at)
    if window.passed:
        callback.preferred_window = schedule.ANY_TIME
    callback.window_start, callback.window_end = window.start, window.end
    plan = schedule.plan_deadline(
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


def deadline_reason(plan, callback):
    parts = []
    if plan.rescheduled:
        parts.append(
            f"Due after the customer's window ({callback.get_preferred_window_display()}): "
            "rescheduled at their request"
        )
    if plan.hours == schedule.BROUGHT_FORWARD:
        parts.append("deadline brought forward to the close of calling hours")
    elif plan.hours == schedule.MOVED_TO_OPENING:
        parts.append("deadline moved to the next opening of calling hours")
    return "; ".join(parts)


def restored_outage_locked(outage_id):
    """The outage under ``FOR UPDATE`` when it is restored, else ``None`` (nothing to release).
    Filings hold it ``FOR SHARE``, so none slips in while a release runs."""
    outage = Outage.objects.select_for_update().filter(pk=outage_id).first()
    if outage is None or not outage.is_restored:
        return None
    return outage


def release_due_sql(outage, *, alias):
    """The deadline a release gives the callback row ``alias``, as SQL with its params:
    ``CALLBACK_TARGET`` after the later of restoration and filing (windows and calling hours
    then move it, ``plan_released``)."""
    return (
        f"GREATEST(%s, {alias}.created_at) + %s",
        [connection.ops.adapt_datetimefield_value(outage.restored_at), conf.rules().target],
    )


@transaction.atomic
def callbacks_release_for_outage(*, outage_id, now):
    """Move a restored outage's waiting callbacks to queued, each due ``CALLBACK_TARGET`` after
    the later of restoration and filing. Two statements whatever the count; running it again
    finds nothing waiting and changes nothing. Returns how many were released.

    On a restoration the workers run ``workload``'s release, which also hands the callbacks to
    the agents' free slots in the same statement; this one is the sweep's (a lost message)."""
    outage = restored_outage_locked(outage_id)
    if outage is None:
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
    if released and released >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # So many rows changed status that the planner's statistics no longer describe the
        # queue until autovacuum comes by: the distribution that follows could be planned
        # for a handful of rows (a nested loop over 100,000 was seen to run for minutes).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {CallbackRequest._meta.db_table}")
    release_finish(outage_id=outage_id, now=now, released=released)
    return released


def release_finish(*, outage_id, now, released, work_due=True):
    """What follows a release in its transaction: the customers' windows and calling hours
    applied to the new deadlines, and the announcements once it commits (work is due, unless
    the release handed it all out itself; the queue changed shape for the staffing alarm)."""
    if released:
        plan_released(outage_id=outage_id, now=now)
        if work_due:
            events.announce_work_due_on_commit()  # workload distributes; the beat backs it up
    # The queue changed shape: workload refreshes its staffing forecast for this outage.
    events.announce_released_on_commit(outage_id=outage_id)


def plan_released(*, outage_id, now):
    """Apply the customers' windows and calling hours to the deadlines a release has just set.

    Set-based by group: the rows that share a window choice, a given slot, a filing day (for
    "tomorrow morning") and a target share their deadline, so one UPDATE (and one INSERT of
    events) per group, never per row. A release has a handful of groups (every "any time"
    callback of an outage shares its target); only specific slots make one group each."""
    zone = conf.calling_hours().zone
    # Queued, or already assigned when the release handed them out as it released them.
    batch = CallbackRequest.objects.filter(
        outage_id=outage_id, status__in=[policy.QUEUED, policy.ASSIGNED], released_at=now
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
        plan = set_deadline(probe, target_due=group["due_at"], released_at=now)
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
        reason = deadline_reason(plan, probe)
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
    return {**counts, "cancelled": cancelled}
