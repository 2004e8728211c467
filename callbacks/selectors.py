"""Reads about callbacks that views and tasks share."""

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import TruncTime

from . import policy
from .models import CallbackAttempt, CallbackEvent, CallbackRequest, Letter


def callbacks_queue():
    """Due work, earliest deadline first."""
    return (
        CallbackRequest.objects.workable()
        .select_related("outage", "assigned_to")
        .order_by("due_at", "id")
    )


def callbacks_escalated(*, limit=200):
    """Callbacks escalated to the team leads, earliest escalation deadline first."""
    return (
        CallbackRequest.objects.escalated()
        .select_related("outage", "escalated_by")
        .order_by("escalation_due_at", "id")[:limit]
    )


def closed_hours_aggregates(*, hours):
    """``(annotations, aggregates)`` counting due callbacks whose target fell in closed hours,
    by what the policy did (brought forward to the closing before it, or moved to the next
    opening), any deadline still in closed hours (set before calling hours applied, or by
    hand), and escalated ones: for a board to add to the aggregate it already runs."""
    annotations = {"local_due": TruncTime("due_at", tzinfo=hours.zone)}
    closed = Q(local_due__lt=hours.opens) | Q(local_due__gt=hours.closes)
    aggregates = {
        "brought_forward": Count("id", filter=Q(deadline_moved=policy.BROUGHT_FORWARD)),
        "moved_to_opening": Count("id", filter=Q(deadline_moved=policy.MOVED_TO_OPENING)),
        "still_closed": Count("id", filter=closed),
        "escalated": Count("id", filter=Q(escalated_at__isnull=False)),
    }
    return annotations, aggregates


def callbacks_closed_hours_counts(*, hours):
    """The counts of ``closed_hours_aggregates`` over the due callbacks, in one query."""
    annotations, aggregates = closed_hours_aggregates(hours=hours)
    return CallbackRequest.objects.workable().annotate(**annotations).aggregate(**aggregates)


def callbacks_waiting_count():
    return CallbackRequest.objects.filter(status=policy.WAITING).count()


def callback_detail(*, pk):
    """One callback with everything its page shows, in a fixed number of queries."""
    return (
        CallbackRequest.objects.select_related(
            "outage", "customer", "customer__area", "assigned_to", "created_by", "letter"
        )
        .prefetch_related(
            Prefetch(
                "attempt_log",
                queryset=CallbackAttempt.objects.select_related("agent").order_by("number"),
            ),
            Prefetch(
                "events",
                queryset=CallbackEvent.objects.select_related("actor").order_by("at", "id"),
            ),
        )
        .get(pk=pk)
    )


def letters_to_send():
    """No-contact letters waiting to be posted, oldest first."""
    return (
        # A cancelled callback's letter is not posted (it comes back if the callback does).
        Letter.objects.filter(status=Letter.Status.TO_SEND, callback__status=policy.LETTER)
        .select_related("callback", "callback__outage")
        .order_by("produced_at", "id")
    )


def letters_batch(*, up_to):
    """The batch for the mail process: every letter still to send produced before ``up_to``
    (the end of the chosen day), oldest first."""
    return letters_to_send().filter(produced_at__lt=up_to).select_related("callback__outage")


def letters_recently_sent(*, limit=50):
    return (
        Letter.objects.filter(status=Letter.Status.SENT)
        .select_related("callback", "sent_by")
        .order_by("-sent_at", "-id")[:limit]
    )


def letter_for_print(*, pk):
    return Letter.objects.select_related("callback", "callback__outage").get(pk=pk)


def call_logs_between(*, start, end):
    """Every attempt made in ``[start, end)``, in the order they were made: the CRM's call
    logs. Meant to be iterated (``.iterator()``), not loaded whole."""
    return (
        CallbackAttempt.objects.filter(at__gte=start, at__lt=end)
        .select_related("agent", "callback", "callback__outage")
        .order_by("at", "id")
    )


def open_callbacks_for_customer(customer, *, limit=5):
    """The caller's callbacks still open (a repeat caller), earliest deadline first. One query."""
    if customer is None:
        return []
    return list(
        CallbackRequest.objects.open()
        .filter(customer=customer)
        .select_related("outage")
        .order_by(F("due_at").asc(nulls_last=True), "id")[:limit]
    )
