"""Reads about callbacks that views and tasks share."""

from django.db.models import (
    Count,
    F,
    Min,
    Prefetch,
    Q,
)
from django.db.models.functions import TruncTime

from core.precompiled import Precompiled, stand_in_id
from schedule import policy as schedule

from . import policy
from .models import CallbackAttempt, CallbackEvent, CallbackRequest, Letter


def closed_hours_aggregates(*, hours):
    """``(annotations, aggregates)`` counting due callbacks whose target fell in closed hours,
    by what the policy did (brought forward to the closing before it, or moved to the next
    opening), any deadline still in closed hours (set before calling hours applied, or by
    hand), and escalated ones: for a board to add to the aggregate it already runs."""
    annotations = {"local_due": TruncTime("due_at", tzinfo=hours.zone)}
    closed = Q(local_due__lt=hours.opens) | Q(local_due__gt=hours.closes)
    aggregates = {
        "brought_forward": Count("id", filter=Q(deadline_moved=schedule.BROUGHT_FORWARD)),
        "moved_to_opening": Count("id", filter=Q(deadline_moved=schedule.MOVED_TO_OPENING)),
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


OPEN_CALLBACKS_SHOWN = 5
# Every lookup that finds a customer runs it: its SQL is written once per process.
_OPEN_CALLBACKS = Precompiled(
    lambda customer: (
        CallbackRequest.objects.open()
        .filter(customer_id=customer)
        .select_related("outage")
        .order_by(F("due_at").asc(nulls_last=True), "id")[:OPEN_CALLBACKS_SHOWN]
    ),
    customer=stand_in_id(),
)


def open_callbacks_for_customer(customer):
    """The caller's callbacks still open (a repeat caller), earliest deadline first, at most
    ``OPEN_CALLBACKS_SHOWN``. One query."""
    if customer is None:
        return []
    return _OPEN_CALLBACKS.run(customer=customer.pk)


CHANNEL_LIVE_CALL = "Live call"


def callback_figures_by_outage(*, outage_ids):
    """Per outage: callbacks filed (not cancelled), cancelled, released with a deadline,
    letters produced and letters sent. {outage_id: {...}}; one grouped query."""
    rows = (
        CallbackRequest.objects.filter(outage_id__in=outage_ids)
        .order_by()
        .values("outage_id")
        .annotate(
            callbacks=Count("id", filter=~Q(status=policy.CANCELLED)),
            cancelled=Count("id", filter=Q(status=policy.CANCELLED)),
            released=Count("id", filter=Q(due_at__isnull=False) & ~Q(status=policy.CANCELLED)),
            still_open=Count("id", filter=Q(status__in=policy.OPEN_STATUSES)),
            letters=Count("letter"),
            letters_sent=Count("letter", filter=Q(letter__status=Letter.Status.SENT)),
        )
    )
    return {row.pop("outage_id"): row for row in rows}


def callback_channel_field():
    """The field that says how a callback was filed, once the model has one (the public status
    page and the API add channels); None while every callback comes from a live call."""
    names = {f.name for f in CallbackRequest._meta.get_fields()}
    for name in ("channel", "source"):
        if name in names:
            return name
    return None


def callbacks_by_channel(*, outage_id):
    """[(channel label, count)] of the outage's callbacks (not cancelled)."""
    callbacks = CallbackRequest.objects.filter(outage_id=outage_id).exclude(status=policy.CANCELLED)
    field = callback_channel_field()
    if field is None:
        total = callbacks.count()
        return [(CHANNEL_LIVE_CALL, total)] if total else []
    rows = callbacks.order_by().values_list(field).annotate(n=Count("id")).order_by(field)
    return [(_channel_label(value), n) for value, n in rows]


def _channel_label(value):
    """An agent's callback was filed on a live call; the others by their channel's name."""
    if not value or value == policy.AGENT_CHANNEL:
        return CHANNEL_LIVE_CALL
    return policy.CHANNEL_LABELS.get(value, str(value))


def callbacks_for_customer(*, customer_id):
    """The customer's callbacks, newest first, with their attempts and letter."""
    return list(
        CallbackRequest.objects.filter(customer_id=customer_id)
        .select_related("outage", "letter", "created_by")
        .prefetch_related(
            Prefetch(
                "attempt_log",
                queryset=CallbackAttempt.objects.select_related("agent").order_by("number"),
            )
        )
        .order_by("-created_at", "-id")
    )


def callbacks_health(*, now, margin):
    """What the operations team watches: callbacks by status, how many open ones are overdue
    or at risk (deadline within ``margin``), when the oldest missed deadline was, and letters
    waiting to be posted. Three queries whatever the count."""
    by_status = dict(
        CallbackRequest.objects.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    workable = CallbackRequest.objects.workable().aggregate(
        overdue=Count("id", filter=Q(due_at__lt=now)),
        at_risk=Count("id", filter=Q(due_at__gte=now, due_at__lte=now + margin)),
        oldest_due=Min("due_at", filter=Q(due_at__lt=now)),
    )
    return {
        "by_status": {status: by_status.get(status, 0) for status in policy.STATUSES},
        "overdue": workable["overdue"],
        "at_risk": workable["at_risk"],
        "oldest_due_at": workable["oldest_due"],
        "letters_to_send": Letter.objects.filter(status=Letter.Status.TO_SEND).count(),
    }
