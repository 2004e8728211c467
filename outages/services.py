"""Every write to outages: one function per use case, in a transaction, with its timeline row.

Lifecycle rules live in ``lifecycle``; these functions apply them and record what happened.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from core.audit import audit_record
from core.errors import ServiceError

from . import events, lifecycle
from .models import Customer, Escalation, Outage, OutageUpdate, RefundReview


class OutageError(ServiceError):
    """A refused change, with a message for the supervisor (and the field it concerns)."""


def _refuse(exc, field=None):
    raise OutageError(getattr(exc, "message", str(exc)), field=field) from exc


def _timeline(outage, *, actor, now, message="", public=True):
    transaction.on_commit(lambda: events.announce_outage_changed(outage_id=outage.pk))
    return OutageUpdate.objects.create(
        outage=outage,
        author=actor,
        at=now,
        status=outage.status,
        message=message,
        cause=outage.cause,
        etr=outage.etr,
        public=public,
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
    notify_customers=False,
):
    """Declare an outage. ``notify_customers``: the supervisor chose to tell the customers of
    its areas now (announced with the event; outages does not send anything itself)."""
    started_at = started_at or now
    if kind == lifecycle.SYSTEMS:
        all_areas = True  # internal systems down: every caller is affected
    if not all_areas and not areas:
        raise OutageError("Pick at least one service area.", field="areas")
    if started_at > now:
        raise OutageError("An outage cannot start in the future.", field="started_at")
    try:
        lifecycle.check_etr(etr=etr, started_at=started_at, now=now)
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
    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(
        lambda: events.announce_outage_declared(
            outage_id=outage.pk, notify_customers=notify_customers, actor_id=actor_id
        )
    )
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
            lifecycle.check_etr(etr=etr, started_at=outage.started_at, now=now)
    except lifecycle.TransitionRefused as exc:
        _refuse(exc, field="etr" if etr is not None and target == outage.status else "status")
    fields = ["status", "updated_at"]
    etr_changed = etr is not None and etr != outage.etr
    previous_etr = outage.etr
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
    if etr_changed and target in lifecycle.OPEN_STATUSES:
        transaction.on_commit(
            lambda: events.announce_outage_etr_changed(
                outage_id=outage.pk, previous_etr=previous_etr
            )
        )
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
    # Reopening answers "customers still without service".
    _clear_escalations(
        outage, actor=actor, now=now, reasons=[Escalation.Reason.STILL_WITHOUT_SERVICE]
    )
    _timeline(outage, actor=actor, now=now, message=message or "Outage reopened.")
    transaction.on_commit(lambda: events.announce_outage_reopened(outage_id=outage.pk))
    return outage


@transaction.atomic
def outage_close(*, actor, now, outage, message=""):
    outage = outage_post_update(
        actor=actor, now=now, outage=outage, status=lifecycle.CLOSED, message=message or "Closed."
    )
    # A closed outage has nothing left to act on.
    _clear_escalations(outage, actor=actor, now=now, reasons=list(Escalation.Reason.values))
    return outage


@transaction.atomic
def outage_set_ivr(*, actor, now, outage, announce, offers_callbacks):
    """The IVR switch: whether the IVR announces this outage to callers from its areas, and
    whether it offers them a callback. The change goes in the outage's timeline."""
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    if offers_callbacks and not announce:
        raise OutageError(
            "The IVR can only offer callbacks for an outage it announces.",
            field="ivr_offers_callbacks",
        )
    if (outage.ivr_announce, outage.ivr_offers_callbacks) == (announce, offers_callbacks):
        return outage
    outage.ivr_announce = announce
    outage.ivr_offers_callbacks = offers_callbacks
    outage.updated_at = now
    outage.save(update_fields=["ivr_announce", "ivr_offers_callbacks", "updated_at"])
    if not announce:
        said = "IVR: not announced to callers."
    elif offers_callbacks:
        said = "IVR: announced to callers, with the offer of a callback."
    else:
        said = "IVR: announced to callers, without the offer of a callback."
    _timeline(outage, actor=actor, now=now, message=said, public=False)
    return outage


# --- escalation -----------------------------------------------------------------------------

_SWEPT_REASONS = (lifecycle.PAST_ETR, lifecycle.MISSING_ETR)


@transaction.atomic
def outages_escalation_sweep(*, now, missing_etr_after=None):
    """Flag open outages past their ETR, or without an ETR for too long; each flag once.

    An escalation stays open (and is not raised again) until someone acts: posting a new ETR
    or restoring clears it (``outage_post_update``, ``outage_restore``). A flag whose reason no
    longer holds (the outage was restored or given an ETR some other way) is cleared here,
    with nobody as the one who cleared it. Safe to run every minute, twice, or concurrently:
    the database allows one open escalation per outage and reason. Returns how many it
    raised."""
    if missing_etr_after is None:
        missing_etr_after = settings.OUTAGE_MISSING_ETR_AFTER
    condition = Q(etr__lt=now)
    if missing_etr_after is not None:
        condition |= Q(etr__isnull=True, started_at__lte=now - missing_etr_after)
    candidates = list(
        Outage.objects.active().filter(condition).values_list("pk", "status", "etr", "started_at")
    )
    due = {}
    for pk, status, etr, started_at in candidates:
        reason = lifecycle.escalation_reason(
            status=status,
            etr=etr,
            started_at=started_at,
            now=now,
            missing_etr_after=missing_etr_after,
        )
        if reason:
            due[(pk, reason)] = etr
    open_ = set(
        Escalation.objects.filter(cleared_at__isnull=True, reason__in=_SWEPT_REASONS).values_list(
            "outage_id", "reason"
        )
    )
    stale = open_ - due.keys()
    if stale:
        stale_condition = Q(pk__in=[])
        for outage_id, reason in stale:
            stale_condition |= Q(outage_id=outage_id, reason=reason)
        Escalation.objects.filter(stale_condition, cleared_at__isnull=True).update(cleared_at=now)
    fresh = [
        Escalation(
            outage_id=outage_id,
            reason=reason,
            etr_at_raise=etr,
            detail=lifecycle.ESCALATION_LABELS[reason],
            raised_at=now,
        )
        for (outage_id, reason), etr in due.items()
        if (outage_id, reason) not in open_
    ]
    Escalation.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


@transaction.atomic
def escalation_raise_still_without_service(*, now, outage, area=None, detail=""):
    """Flag an outage to supervisors as possibly not restored (for ``area`` when known).

    One open escalation per outage and reason (a database constraint): when one is open
    already, it stands and is returned. Returns ``(escalation, raised)``."""
    reason = Escalation.Reason.STILL_WITHOUT_SERVICE
    open_ = Escalation.objects.filter(outage=outage, reason=reason, cleared_at__isnull=True)
    existing = open_.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():  # a savepoint: losing the race must not spoil the caller
            return (
                Escalation.objects.create(
                    outage=outage, reason=reason, area=area, detail=detail[:300], raised_at=now
                ),
                True,
            )
    except IntegrityError:
        return open_.get(), False


# --- refund reviews -------------------------------------------------------------------------


class RefundReviewError(ServiceError):
    """A refused refund review change."""


@transaction.atomic
def refund_review_request(*, actor, now, customer, outage, notes=""):
    """Promise a customer on a call that their account will be reviewed for an adjustment.

    Idempotent: one review per customer and outage; asking again returns the first one
    unchanged. Returns ``(review, created)``. Refused for a customer the outage does not
    cover (nothing the agent's screen offers; a forged or stale form)."""
    covered = outage.all_areas or outage.areas.filter(pk=customer.area_id).exists()
    if not covered:
        raise RefundReviewError(
            f"{customer.name}'s service area is not covered by the outage “{outage.title}”: "
            "no refund review for it."
        )
    try:
        with transaction.atomic():
            review, created = RefundReview.objects.get_or_create(
                customer=customer,
                outage=outage,
                defaults={
                    "area_id": customer.area_id,
                    "requested_by": actor,
                    "requested_at": now,
                    "notes": notes,
                },
            )
    except IntegrityError:  # two agents at once: the other one won
        review, created = RefundReview.objects.get(customer=customer, outage=outage), False
    return review, created


@transaction.atomic
def refund_review_mark_reviewed(*, actor, now, review, notes=""):
    """The account was reviewed. Refused when it already was, or the outage is not over."""
    review = (
        RefundReview.objects.select_for_update(of=("self",))
        .select_related("outage")
        .get(pk=review.pk)
    )
    if review.status == RefundReview.Status.REVIEWED:
        raise RefundReviewError("This refund review was already marked reviewed.")
    if not review.outage.is_restored:
        raise RefundReviewError("The outage is not restored yet: review the account after it.")
    review.status = RefundReview.Status.REVIEWED
    review.reviewed_by = actor
    review.reviewed_at = now
    fields = ["status", "reviewed_by", "reviewed_at"]
    if notes:
        review.notes = f"{review.notes}\n{notes}".strip()
        fields.append("notes")
    review.save(update_fields=fields)
    return review


# --- personal data: retention and erasure on request ----------------------------------------

ERASED_NAME = "(erased)"


@transaction.atomic
def refund_reviews_anonymise_before(*, cutoff, now):
    """Retention: the notes of refund reviews reviewed before ``cutoff`` are removed (they may
    quote the customer); the reviews stay, so the counts do too."""
    return (
        RefundReview.objects.filter(status=RefundReview.Status.REVIEWED, reviewed_at__lt=cutoff)
        .exclude(notes="")
        .update(notes="")
    )


class CustomerNotFound(Exception):
    pass


@transaction.atomic
def customer_erase(*, actor, now, account_number, reason):
    """Erase one customer's personal data on their request: the directory row keeps its
    account number (the system of record's key) and area, and loses name, phone and address;
    refund review notes go; every app subscribed to ``events.on_customer_erased`` removes its
    own copies (callbacks cancels what is still open for them). One audit row says who did it,
    why and what changed. Returns the counts."""
    customer = Customer.objects.select_for_update().filter(account_number=account_number).first()
    if customer is None:
        raise CustomerNotFound(f"No customer with account number {account_number}.")
    phone = customer.phone
    customer.name = ERASED_NAME
    customer.phone = ""
    customer.address = ""
    customer.save(update_fields=["name", "phone", "address", "updated_at"])
    counts = {
        "refund_reviews": RefundReview.objects.filter(customer=customer)
        .exclude(notes="")
        .update(notes=""),
        **events.announce_customer_erased(
            customer_id=customer.pk, phone=phone, account_number=account_number, now=now
        ),
    }
    audit_record(
        action="customer.erased",
        actor=actor,
        subject=f"customer {customer.pk} (account {account_number})",
        detail={"reason": reason, "counts": counts},
        now=now,
    )
    return counts
