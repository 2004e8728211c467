"""Every write to callbacks: filing, release, return to waiting, the sweep, attempts (call
logs), letters, and the "still without service" flag on an outage.

Set-based where many rows move (a restoration can release thousands): a few statements
whatever the count, never a loop of ``save()``. Each state change leaves a ``CallbackEvent``.
"""

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.formats import date_format

from core.errors import ServiceError
from core.roles import TEAM_LEAD, has_role
from outages import lifecycle
from outages import services as outage_services
from outages.models import Outage

from . import conf, events, policy
from .models import CallbackAttempt, CallbackEvent, CallbackRequest, Letter

SYSTEM_RELEASE_REASON = "Outage restored: released with its deadline"
SYSTEM_REOPEN_REASON = "Outage reopened: back to waiting"


class CallbackError(ServiceError):
    """A refused change to a callback, with a message for the agent or team lead."""


@dataclass
class Filing:
    callback: CallbackRequest
    merged: bool


def record_event(callback, *, actor, now, from_status, to_status, reason):
    """The timeline row every change of one callback leaves (who, when, from, to, why)."""
    return CallbackEvent.objects.create(
        callback=callback,
        actor=actor,
        at=now,
        from_status=from_status,
        to_status=to_status,
        reason=reason[: CallbackEvent._meta.get_field("reason").max_length],
    )


def _merge_note(existing, *, actor, now, call_reason, notes):
    who = actor.get_full_name() or actor.get_username()
    # In the centre's zone, as every other time on the pages.
    stamp = date_format(timezone.localtime(now), "D j M, g:i A T")
    addition = f"[{stamp}, {who}] Called again: {call_reason}"
    if notes:
        addition += f" — {notes}"
    return f"{existing}\n{addition}".strip()


def callback_file(
    *,
    actor,
    now,
    outage,
    name,
    phone,
    call_reason,
    customer=None,
    account_number="",
    category="",
    subcategory="",
    item="",
    notes="",
    preferred_window=CallbackRequest.ContactWindow.ANY,
    ticket_reference="",
):
    """File a callback request. A second filing for the same phone and outage while the first
    is still open is merged into it (``Filing.merged``) instead of creating a duplicate."""
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
    )
    for _ in range(3):  # a concurrent first filing may win the unique constraint: then merge
        try:
            with transaction.atomic():
                return _file_or_merge(actor=actor, now=now, outage=outage, fields=fields)
        except IntegrityError:
            continue
    raise CallbackError("This callback could not be saved; try again.")


def _file_or_merge(*, actor, now, outage, fields):
    if outage is not None:
        # The caller's copy may be stale (restored since the page loaded): read it now.
        outage = _outage_shared(outage.pk)
    existing = (
        CallbackRequest.objects.select_for_update()
        .open()
        .filter(outage=outage, phone=fields["phone"])
        .first()
        if outage is not None
        else None
    )
    if existing:
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

    restored = outage is None or outage.is_restored
    status = policy.status_on_filing(outage_restored=restored)
    due_at = None
    if status == policy.QUEUED:
        restored_at = outage.restored_at if outage is not None else now
        due_at = policy.first_due_at(restored_at=restored_at, filed_at=now, rules=conf.rules())
    callback = CallbackRequest.objects.create(
        outage=outage,
        status=status,
        due_at=due_at,
        released_at=now if due_at else None,
        created_by=actor,
        created_at=now,
        updated_at=now,
        **fields,
    )
    record_event(
        callback,
        actor=actor,
        now=now,
        from_status="",
        to_status=status,
        reason="Filed" + (" after restoration: due from filing" if due_at else ""),
    )
    if due_at:
        events.announce_work_due_on_commit()  # workload distributes; the beat backs it up
    return Filing(callback=callback, merged=False)


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
        events.announce_work_due_on_commit()  # workload distributes; the beat backs it up
    return released


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


class NotYourCallback(CallbackError):
    """Somebody other than the agent who holds the callback tried to record an attempt."""


def _who(user):
    return user.get_full_name() or user.get_username()


@transaction.atomic
def callback_record_attempt(
    *, actor, now, callback, outcome, category, subcategory, notes="", expected_number=None
):
    """Record one outbound call on a callback and apply the rules to its outcome.

    The callback row is locked (``SELECT ... FOR UPDATE``) for the whole use case, so two
    agents pressing a button on the same callback are serialised; ``expected_number`` (the
    attempt number the agent's page showed) then refuses the second one instead of logging a
    second call the agent did not make. Writes the call log, the callback's new state, an
    event for every change, a letter when the rules produce one, and an escalation when the
    customer says the service is still down."""
    locked = _lock_for_attempt(callback, actor=actor, expected_number=expected_number)
    number = locked.attempts + 1
    status = _take_if_queued(locked, actor=actor, now=now)
    try:
        decision = policy.decide_after_attempt(
            status=status,
            outcome=outcome,
            attempt_number=number,
            attempted_at=now,
            due_at=locked.due_at,
            rules=conf.rules(),
        )
    except policy.PolicyError as exc:
        raise CallbackError(str(exc)) from exc
    CallbackAttempt.objects.create(
        callback=locked,
        number=number,
        agent=actor,
        at=now,
        outcome=outcome,
        category=category,
        subcategory=subcategory,
        subject=decision.subject,
        notes=notes,
    )
    _record_outcome(locked, decision, actor=actor, now=now, status=status, number=number)
    _apply_decision(locked, decision, now=now, number=number)
    if decision.produce_letter:
        _produce_letter(locked, now=now)
    if decision.flag_outage:
        _flag_outage(locked, actor=actor, now=now)
    return locked


def _lock_for_attempt(callback, *, actor, expected_number):
    """The callback locked for the use case, once the attempt is known to be this one, by
    someone allowed, on a callback still worked."""
    locked = (
        CallbackRequest.objects.select_for_update(of=("self",))
        .select_related("customer", "outage")
        .get(pk=callback.pk)
    )
    number = locked.attempts + 1
    if expected_number is not None and expected_number != number:
        raise CallbackError(
            f"Attempt {expected_number} on this callback was already logged; "
            "reload the page to see it."
        )
    if not policy.may_record_attempt(
        actor_id=actor.pk,
        assigned_to_id=locked.assigned_to_id,
        actor_is_lead=has_role(actor, TEAM_LEAD),
    ):
        raise NotYourCallback(
            "Only the agent who holds this callback, or a team lead, can log a call on it."
        )
    if locked.status not in policy.WORKABLE_STATUSES:
        raise CallbackError(
            f"This callback is {policy.STATUS_LABELS.get(locked.status, locked.status)}: "
            "no more calls can be logged on it."
        )
    return locked


def _take_if_queued(locked, *, actor, now):
    """A team lead calling an unheld callback takes it first. Returns the status to decide
    from."""
    status = locked.status
    if status != policy.QUEUED:
        return status
    taken = policy.status_after_assign(status)
    record_event(
        locked,
        actor=actor,
        now=now,
        from_status=status,
        to_status=taken,
        reason=f"Taken by {_who(actor)} to call",
    )
    locked.assigned_to = actor
    locked.assigned_at = now
    return taken


def _record_outcome(locked, decision, *, actor, now, status, number):
    """The timeline row for the attempt's outcome (a checked transition)."""
    if decision.status != status:
        policy.check_transition(status, decision.status)
    reason = f"Attempt {number}: {decision.subject}"
    if decision.status == policy.RETRY:
        reason += ", retry due within the retry window"
    elif decision.produce_letter:
        reason += ", no contact: letter to send"
    record_event(
        locked, actor=actor, now=now, from_status=status, to_status=decision.status, reason=reason
    )


def _apply_decision(locked, decision, *, now, number):
    """The callback's new state after the attempt, saved."""
    new_deadline = decision.due_at != locked.due_at
    locked.status = decision.status
    locked.due_at = decision.due_at
    locked.attempts = number
    locked.last_attempt_at = now
    locked.updated_at = now
    if new_deadline:  # a retry has its own deadline, watched afresh by the sweep
        locked.at_risk = False
        locked.breached_at = None
    if decision.ends:
        locked.closed_at = now
        locked.at_risk = False
    if not decision.keep_agent:
        locked.assigned_to = None
        locked.assigned_at = None
    locked.save(
        update_fields=[
            "status",
            "due_at",
            "attempts",
            "last_attempt_at",
            "updated_at",
            "at_risk",
            "breached_at",
            "closed_at",
            "assigned_to",
            "assigned_at",
        ]
    )


def _produce_letter(callback, *, now):
    """The no-contact letter, with the name and address as they are today (a snapshot: the
    letter says what was posted even if the directory changes later)."""
    customer = callback.customer
    letter, _ = Letter.objects.get_or_create(
        callback=callback,
        defaults=dict(
            name=customer.name if customer else callback.name,
            address=customer.address if customer else "",
            postal_code=customer.postal_code if customer else "",
            produced_at=now,
        ),
    )
    return letter


def _flag_outage(callback, *, actor, now):
    if callback.outage_id is None:
        record_event(
            callback,
            actor=actor,
            now=now,
            from_status=callback.status,
            to_status=callback.status,
            reason="Customer still without service; no outage to flag: technical issue",
        )
        return None
    area = callback.customer.area if callback.customer else None
    escalation, raised = outage_services.escalation_raise_still_without_service(
        now=now, outage=callback.outage, area=area, detail=f"Reported on callback #{callback.pk}"
    )
    record_event(
        callback,
        actor=actor,
        now=now,
        from_status=callback.status,
        to_status=callback.status,
        reason=(
            "Customer still without service: outage flagged for supervisors"
            if raised
            else "Customer still without service: outage already flagged for supervisors"
        ),
    )
    return escalation


@transaction.atomic
def letter_mark_sent(*, actor, now, letter):
    """The letter went out through the mail process: the letter is sent, the callback is
    ``LETTER_SENT``. Refused (nothing written) when it was already marked sent."""
    callback = CallbackRequest.objects.select_for_update().get(pk=letter.callback_id)
    letter = Letter.objects.get(pk=letter.pk)
    if letter.status == Letter.Status.SENT:
        raise CallbackError(
            f"This letter was already marked sent on {letter.sent_at:%Y-%m-%d %H:%M} UTC."
        )
    try:
        policy.check_transition(callback.status, policy.LETTER_SENT)
    except policy.PolicyError as exc:
        raise CallbackError(str(exc)) from exc
    letter.status = Letter.Status.SENT
    letter.sent_at = now
    letter.sent_by = actor
    letter.save(update_fields=["status", "sent_at", "sent_by"])
    record_event(
        callback,
        actor=actor,
        now=now,
        from_status=callback.status,
        to_status=policy.LETTER_SENT,
        reason=f"No-contact letter posted by {_who(actor)}",
    )
    callback.status = policy.LETTER_SENT
    callback.updated_at = now
    callback.save(update_fields=["status", "updated_at"])
    return letter
