"""Every write about the callback's contact with the customer: the outbound calls (attempts,
with the call-log subject the rules give them), the no-contact letters they produce and their
posting, the "still without service" flag an answered call raises on its outage, and the
inbound calls the live-call screen logs.

The callback's own state moves through ``callbacks``' rules and timeline
(``callbacks.services.record_event``); "a callback was answered" goes out through
``callbacks.events``."""

from datetime import timedelta
from functools import cache

from django.db import connection, transaction

from callbacks import conf, events, policy
from callbacks.models import CallbackAttempt, CallbackRequest, Letter
from callbacks.services import CallbackError, record_event, record_events, record_note
from core.db import prepared_cursor
from core.people import display_name
from core.roles import TEAM_LEAD, has_role
from outages import services as outage_services
from schedule import policy as schedule

from . import rules
from .models import InboundCall


class NotYourCallback(CallbackError):
    """Somebody other than the agent who holds the callback tried to record an attempt."""


@transaction.atomic
def callback_record_attempt(
    *,
    actor,
    now,
    callback,
    outcome,
    category,
    subcategory,
    notes="",
    expected_number=None,
    consent=None,
):
    """Record one outbound call on a callback and apply the rules to its outcome.

    The callback row is locked (``SELECT ... FOR UPDATE``) for the whole use case, so two
    agents pressing a button on the same callback are serialised; ``expected_number`` (the
    attempt number the agent's page showed) then refuses the second one instead of logging a
    second call the agent did not make. Writes the call log, the callback's new state, an
    event for every change, a letter when the rules produce one, and an escalation when the
    customer says the service is still down.

    The attempt records the number dialled (the callback's current number); a wrong number
    with another number after it moves to that number and does not count toward the letter.
    ``consent`` (answered calls): whether the customer agreed to go on on a recorded line;
    ``False`` ends the call politely, logged with its own subject; ``None``: not recorded (the
    callback page requires it; other callers may not have asked)."""
    if outcome != policy.ANSWERED:
        consent = None
    locked = (
        CallbackRequest.objects.select_for_update(of=("self",))
        .select_related("customer", "outage")
        .get(pk=callback.pk)
    )
    number = _check_attempt(locked, actor=actor, expected_number=expected_number)
    status = _take_if_queued(locked, actor=actor, now=now)
    ordered = [locked.phone, locked.phone_2, locked.phone_3]
    next_position = rules.next_number_position(position=locked.dial_position, numbers=ordered)
    decision, due_at = _decide(
        locked,
        status=status,
        outcome=outcome,
        number=number,
        now=now,
        has_next_number=next_position is not None,
        consent=consent,
    )
    call_log = dict(outcome=outcome, category=category, subcategory=subcategory, notes=notes)
    _log_attempt(locked, decision, actor=actor, now=now, number=number, consent=consent, **call_log)
    if decision.status != status:
        policy.check_transition(status, decision.status)
    _record_attempt_event(locked, decision, status, number, next_position, actor=actor, now=now)
    _apply_decision(
        locked, decision, due_at=due_at, number=number, now=now, next_position=next_position
    )
    _follow_up(locked, decision, outcome=outcome, actor=actor, now=now)
    return locked


def _log_attempt(locked, decision, *, actor, now, number, consent, **call_log):
    """The call log of this attempt, with the number dialled and the rules' subject."""
    CallbackAttempt.objects.create(
        callback=locked,
        number=number,
        agent=actor,
        at=now,
        subject=decision.subject,
        dialled=locked.dial_number,
        consent=consent,
        **call_log,
    )


def _follow_up(locked, decision, *, outcome, actor, now):
    """What the outcome sets off beyond the callback: the letter, the outage flag, and (on
    commit) the "answered" event."""
    if decision.produce_letter:
        _produce_letter(locked, now=now)
    if decision.flag_outage:
        _flag_outage(locked, actor=actor, now=now)
    if outcome == policy.ANSWERED:
        transaction.on_commit(lambda: events.announce_callback_answered(callback_id=locked.pk))


def _check_attempt(locked, *, actor, expected_number):
    """The number of this attempt, or a refusal: the actor may not log on this callback, the
    attempt the page showed was already logged, or the callback is not due."""
    # Who may log comes first: someone who may not learns nothing about the callback.
    if not policy.may_record_attempt(
        actor_id=actor.pk,
        assigned_to_id=locked.assigned_to_id,
        actor_is_lead=has_role(actor, TEAM_LEAD),
    ):
        raise NotYourCallback(
            "Only the agent who holds this callback, or a team lead, can log a call on it."
        )
    number = locked.attempts + 1
    if expected_number is not None and expected_number != number:
        raise CallbackError(
            f"Attempt {expected_number} on this callback was already logged; "
            "reload the page to see it."
        )
    if locked.status not in policy.WORKABLE_STATUSES:
        raise CallbackError(
            f"This callback is {policy.STATUS_LABELS.get(locked.status, locked.status)}: "
            "no more calls can be logged on it."
        )
    return number


def _take_if_queued(locked, *, actor, now):
    """A team lead calling an unheld callback takes it first; the status the call starts from."""
    status = locked.status
    if status == policy.QUEUED:
        taken = policy.status_after_assign(status)
        record_event(
            locked,
            actor=actor,
            now=now,
            from_status=status,
            to_status=taken,
            reason=f"Taken by {display_name(actor)} to call",
        )
        locked.assigned_to = actor
        locked.assigned_at = now
        status = taken
    return status


def _decide(locked, *, status, outcome, number, now, has_next_number, consent):
    """What the rules make of this attempt, and the deadline the callback carries after it."""
    try:
        decision = policy.decide_after_attempt(
            status=status,
            outcome=outcome,
            attempt_number=number - locked.uncounted_attempts,
            attempted_at=now,
            due_at=locked.due_at,
            rules=conf.rules(),
            has_next_number=has_next_number,
            consent_refused=consent is False,
        )
    except policy.PolicyError as exc:
        raise CallbackError(str(exc)) from exc
    due_at = decision.due_at
    if decision.status == policy.RETRY and due_at != locked.due_at:
        # The retry window may end in closed hours: the same rule as any deadline.
        due_at, _ = schedule.deadline_in_calling_hours(
            due_at=due_at,
            released_at=now,
            hours=conf.calling_hours(),
            min_calling=conf.min_calling_time(),
        )
    return decision, due_at


def _record_attempt_event(locked, decision, from_status, number, next_position, *, actor, now):
    """The timeline's words for one attempt and what follows it."""
    reason = f"Attempt {number} to {locked.dial_number}: {decision.subject}"
    if decision.next_number:
        ordered = [locked.phone, locked.phone_2, locked.phone_3]
        reason += f", next number {ordered[next_position - 1]} (not counted toward the letter)"
    elif decision.status == policy.RETRY:
        reason += ", retry due within the retry window"
    elif decision.produce_letter:
        reason += ", no contact: letter to send"
    record_event(
        locked,
        actor=actor,
        now=now,
        from_status=from_status,
        to_status=decision.status,
        reason=reason,
    )


def _apply_decision(locked, decision, *, due_at, number, now, next_position):
    """The callback's state after the attempt: status, deadline, count, number to dial next,
    whether it is closed and whether its agent keeps it; one UPDATE."""
    new_deadline = due_at != locked.due_at
    locked.status = decision.status
    locked.due_at = due_at
    locked.attempts = number
    if decision.next_number:
        locked.dial_position = next_position
        locked.uncounted_attempts += 1
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
            "dial_position",
            "uncounted_attempts",
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
        record_note(
            callback,
            actor=actor,
            now=now,
            reason="Customer still without service; no outage to flag: technical issue",
        )
        return None
    area = callback.customer.area if callback.customer else None
    escalation, raised = outage_services.escalation_raise_still_without_service(
        now=now, outage=callback.outage, area=area, detail=f"Reported on callback #{callback.pk}"
    )
    record_note(
        callback,
        actor=actor,
        now=now,
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
        reason=f"No-contact letter posted by {display_name(actor)}",
    )
    callback.status = policy.LETTER_SENT
    callback.updated_at = now
    callback.save(update_fields=["status", "updated_at"])
    return letter


@transaction.atomic
def letters_mark_sent_batch(*, actor, now, letter_ids):
    """The batch went out through the mail process: every listed letter still to send is sent
    and its callback ``LETTER_SENT``, with a timeline event each. A few statements whatever
    the count; letters already sent, or whose callback was cancelled since the export, are
    left alone. Returns how many were marked."""
    callbacks = CallbackRequest.objects.filter(
        status=policy.LETTER,
        letter__id__in=list(letter_ids),
        letter__status=Letter.Status.TO_SEND,
    )
    ids = list(callbacks.select_for_update(of=("self",)).values_list("id", flat=True))
    if not ids:
        return 0
    rows = CallbackRequest.objects.filter(id__in=ids)
    record_events(
        rows,
        now=now,
        to_status=policy.LETTER_SENT,
        reason=f"No-contact letter posted by {display_name(actor)} (batch of {len(ids)})",
        actor_id=actor.pk,
    )
    Letter.objects.filter(callback_id__in=ids, status=Letter.Status.TO_SEND).update(
        status=Letter.Status.SENT, sent_at=now, sent_by=actor
    )
    rows.update(status=policy.LETTER_SENT, updated_at=now)
    return len(ids)


# --- Inbound calls (the customer's history) ------------------------------------------------
INBOUND_SAME_CALL = timedelta(minutes=15)


INBOUND_NOTE_LENGTH = 200


def inbound_call_log(*, agent, now, customer, outage=None):
    """A lookup opened this customer's card: log the inbound call. Opening the same card again
    within ``INBOUND_SAME_CALL`` (a refresh, a second lookup) is the same call.

    One statement on the live call's path (two elsewhere than PostgreSQL), and deliberately
    no transaction or lock: one agent's row is only ever written by that agent's own requests,
    and two lookups in the same instant would at worst log the call twice."""
    if connection.vendor == "postgresql":
        return _inbound_call_log_postgres(agent=agent, now=now, customer=customer, outage=outage)
    recent = (
        InboundCall.objects.filter(customer=customer, agent=agent, at__gte=now - INBOUND_SAME_CALL)
        .order_by("-at")
        .first()
    )
    if recent is not None:
        # The same call: keep the outage it was about (the latest one the card showed).
        recent.outage = outage or recent.outage
        recent.save(update_fields=["outage"])
        return recent
    return InboundCall.objects.create(customer=customer, outage=outage, agent=agent, at=now)


def _inbound_call_log_postgres(*, agent, now, customer, outage):
    """``inbound_call_log`` as one statement: the agent's latest call with this customer
    within ``INBOUND_SAME_CALL`` takes the outage (when it shows one), else a new row."""
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            _inbound_call_log_sql(),
            {
                "customer": customer.pk,
                "agent": agent.pk,
                "outage": outage.pk if outage is not None else None,
                "since": now - INBOUND_SAME_CALL,
                "now": now,
            },
        )
        row = cursor.fetchone()
    # The row as ``InboundCall.objects.raw`` would give it, without its per-query set-up:
    # every lookup of a customer runs this (PostgreSQL's values need no converting).
    return InboundCall.from_db(connection.alias, _INBOUND_CALL_COLUMNS, row)


_INBOUND_CALL_COLUMNS = ("id", "customer_id", "outage_id", "agent_id", "at", "note", "noted_at")


@cache
def _inbound_call_log_sql():
    table = InboundCall._meta.db_table
    columns = ", ".join(_INBOUND_CALL_COLUMNS)
    return f"""
        WITH recent AS (
            SELECT {columns} FROM {table}
            WHERE customer_id = %(customer)s AND agent_id = %(agent)s AND at >= %(since)s
            ORDER BY at DESC, id DESC LIMIT 1
        ), moved AS (
            UPDATE {table} SET outage_id = %(outage)s FROM recent
            WHERE {table}.id = recent.id AND %(outage)s::bigint IS NOT NULL
              AND {table}.outage_id IS DISTINCT FROM %(outage)s::bigint
        ), created AS (
            INSERT INTO {table} (customer_id, outage_id, agent_id, at, note)
            SELECT %(customer)s, %(outage)s, %(agent)s, %(now)s, ''
            WHERE NOT EXISTS (SELECT 1 FROM recent)
            RETURNING {columns}
        )
        SELECT id, customer_id, COALESCE(%(outage)s::bigint, outage_id) AS outage_id, agent_id,
               at, note, noted_at
        FROM recent
        UNION ALL SELECT {columns} FROM created
        """


@transaction.atomic
def inbound_call_note(*, actor, now, inbound_call, note):
    """The one-line outcome of a call that ended without a callback, by the agent who took it."""
    note = " ".join(note.split())
    if not note:
        raise CallbackError("Write a short note of how the call ended.", field="note")
    if len(note) > INBOUND_NOTE_LENGTH:
        raise CallbackError(
            f"Keep the note to one line ({INBOUND_NOTE_LENGTH} characters at most).", field="note"
        )
    if inbound_call.agent_id != actor.pk:
        raise CallbackError("Only the agent who took the call can note its outcome.")
    inbound_call.note = note
    inbound_call.noted_at = now
    inbound_call.save(update_fields=["note", "noted_at"])
    return inbound_call


def inbound_calls_erase_notes(*, customer_id):
    """Erasure on request: the agents' one-line notes of the customer's inbound calls may quote
    them, so they go (the calls stay: who took them, when, about which outage)."""
    erased = InboundCall.objects.filter(customer_id=customer_id).exclude(note="").update(note="")
    return {"inbound_call_notes": erased}
