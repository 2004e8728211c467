"""Every write to callbacks: filing, release, return to waiting, the sweep.

Set-based where many rows move (a restoration can release thousands): a few statements
whatever the count, never a loop of ``save()``. Each state change leaves a ``CallbackEvent``.
"""

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Value
from django.db.models.functions import Greatest

from outages import lifecycle
from outages.models import Outage

from . import conf, policy
from .models import CallbackEvent, CallbackRequest

SYSTEM_RELEASE_REASON = "Outage restored: released with its deadline"
SYSTEM_REOPEN_REASON = "Outage reopened: back to waiting"


class CallbackError(Exception):
    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class Filing:
    callback: CallbackRequest
    merged: bool


def _event(callback, *, actor, now, from_status, to_status, reason):
    return CallbackEvent.objects.create(
        callback=callback,
        actor=actor,
        at=now,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )


def _merge_note(existing, *, actor, now, call_reason, notes):
    who = actor.get_full_name() or actor.get_username()
    addition = f"[{now:%Y-%m-%d %H:%M} UTC, {who}] Called again: {call_reason}"
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
        # The caller's copy may be stale (restored since the page loaded): read it now. A
        # restoration committing while this filing is in flight is caught by the sweep.
        outage = Outage.objects.get(pk=outage.pk)
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
        _event(
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
    _event(
        callback,
        actor=actor,
        now=now,
        from_status="",
        to_status=status,
        reason="Filed" + (" after restoration: due from filing" if due_at else ""),
    )
    if due_at:
        _distribute_on_commit()
    return Filing(callback=callback, merged=False)


def _distribute_on_commit():
    """New due work: ask the workers to distribute it (best effort; the schedule backs it up)."""
    from console.tasking import send_on_commit

    from . import tasks

    send_on_commit(tasks.distribute)


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
        _distribute_on_commit()
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
        updated_at=now,
    )


def _events_for(queryset, *, now, to_status, reason, actor_id=None):
    """One INSERT ... SELECT writing an event for every row the queryset is about to move."""
    rows = queryset.values_list("id", "status")
    sql, params = rows.query.sql_with_params()
    table = CallbackEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (callback_id, from_status, at, actor_id, to_status, reason) "
            f"SELECT sub.id, sub.status, %s, %s, %s, %s FROM ({sql}) AS sub",
            [now, actor_id, to_status, reason, *params],
        )


def callbacks_sweep(*, now):
    """Redo whatever a lost message missed. Safe to run every minute, and twice."""
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
    return {"released": released, "returned": returned}
