"""Every write to outages: one function per use case, in a transaction, with its timeline row.

Lifecycle rules live in ``lifecycle``; these functions apply them and record what happened.
"""

from django.db import transaction

from . import events, lifecycle
from .models import Escalation, Outage, OutageUpdate


class OutageError(Exception):
    """A refused change, with a message for the supervisor (and the field it concerns)."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def _refuse(exc, field=None):
    raise OutageError(getattr(exc, "message", str(exc)), field=field) from exc


def _timeline(outage, *, actor, now, message=""):
    return OutageUpdate.objects.create(
        outage=outage,
        author=actor,
        at=now,
        status=outage.status,
        message=message,
        cause=outage.cause,
        etr=outage.etr,
    )


def _clear_escalations(outage, *, actor, now, reasons):
    Escalation.objects.filter(outage=outage, reason__in=reasons, cleared_at__isnull=True).update(
        cleared_at=now, cleared_by=actor
    )


@transaction.atomic
def outage_declare(
    *,
    actor,
    now,
    title,
    kind=lifecycle.NETWORK,
    service="",
    severity=lifecycle.MAJOR,
    areas=(),
    all_areas=False,
    cause="",
    etr=None,
    started_at=None,
    message="",
):
    started_at = started_at or now
    if kind == lifecycle.SYSTEMS:
        all_areas = True  # internal systems down: every caller is affected
    if not all_areas and not areas:
        raise OutageError("Pick at least one service area.", field="areas")
    if started_at > now:
        raise OutageError("An outage cannot start in the future.", field="started_at")
    try:
        lifecycle.check_etr(etr=etr, started_at=started_at)
    except lifecycle.TransitionRefused as exc:
        _refuse(exc, field="etr")
    outage = Outage.objects.create(
        kind=kind,
        title=title,
        service=service,
        severity=severity,
        status=lifecycle.IDENTIFIED if cause else lifecycle.INVESTIGATING,
        cause=cause,
        etr=etr,
        started_at=started_at,
        all_areas=all_areas,
        declared_by=actor,
        updated_at=now,
    )
    if not all_areas:
        outage.areas.set(areas)
    _timeline(outage, actor=actor, now=now, message=message or "Outage declared.")
    return outage


@transaction.atomic
def outage_post_update(*, actor, now, outage, status=None, cause=None, etr=None, message=""):
    """Move the outage forward (or not) and say so; cause and ETR change here too."""
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    target = status or outage.status
    if target == lifecycle.RESTORED or lifecycle.is_reopen(outage.status, target):
        raise OutageError("Use Mark restored or Reopen for that.", field="status")
    try:
        lifecycle.check_transition(outage.status, target)
        if etr is not None:
            lifecycle.check_etr(etr=etr, started_at=outage.started_at)
    except lifecycle.TransitionRefused as exc:
        _refuse(exc, field="etr" if etr is not None and target == outage.status else "status")
    fields = ["status", "updated_at"]
    etr_changed = etr is not None and etr != outage.etr
    outage.status = target
    if cause is not None and cause != outage.cause:
        outage.cause = cause
        fields.append("cause")
    if etr_changed:
        outage.etr = etr
        fields.append("etr")
    if target == lifecycle.CLOSED:
        outage.closed_at = now
        fields.append("closed_at")
    outage.updated_at = now
    outage.save(update_fields=fields)
    if etr_changed:
        # Someone acted on the ETR: the escalation about it is answered.
        _clear_escalations(
            outage, actor=actor, now=now, reasons=[lifecycle.PAST_ETR, lifecycle.MISSING_ETR]
        )
    _timeline(outage, actor=actor, now=now, message=message)
    return outage


@transaction.atomic
def outage_restore(*, actor, now, outage, restored_at=None, message=""):
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    restored_at = restored_at or now
    if outage.status == lifecycle.RESTORED:
        raise OutageError("This outage is already marked restored.", field="status")
    try:
        lifecycle.check_transition(outage.status, lifecycle.RESTORED)
    except lifecycle.TransitionRefused as exc:
        _refuse(exc, field="status")
    try:
        lifecycle.check_restored_at(restored_at=restored_at, started_at=outage.started_at, now=now)
    except lifecycle.TransitionRefused as exc:
        _refuse(exc, field="restored_at")
    outage.status = lifecycle.RESTORED
    outage.restored_at = restored_at
    outage.updated_at = now
    outage.save(update_fields=["status", "restored_at", "updated_at"])
    _clear_escalations(
        outage, actor=actor, now=now, reasons=[lifecycle.PAST_ETR, lifecycle.MISSING_ETR]
    )
    _timeline(outage, actor=actor, now=now, message=message or "Service restored.")
    transaction.on_commit(lambda: events.announce_outage_restored(outage_id=outage.pk))
    return outage


@transaction.atomic
def outage_reopen(*, actor, now, outage, message=""):
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    try:
        lifecycle.check_transition(outage.status, lifecycle.INVESTIGATING)
    except lifecycle.TransitionRefused as exc:
        _refuse(exc, field="status")
    if not lifecycle.is_reopen(outage.status, lifecycle.INVESTIGATING):
        raise OutageError("Only a restored outage can be reopened.", field="status")
    outage.status = lifecycle.INVESTIGATING
    outage.restored_at = None
    outage.updated_at = now
    outage.save(update_fields=["status", "restored_at", "updated_at"])
    _timeline(outage, actor=actor, now=now, message=message or "Outage reopened.")
    transaction.on_commit(lambda: events.announce_outage_reopened(outage_id=outage.pk))
    return outage


@transaction.atomic
def outage_close(*, actor, now, outage, message=""):
    return outage_post_update(
        actor=actor, now=now, outage=outage, status=lifecycle.CLOSED, message=message or "Closed."
    )
