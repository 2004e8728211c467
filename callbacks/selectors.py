"""Reads about callbacks that views and tasks share."""

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncHour, TruncTime

from . import conf, policy
from .models import CallbackAttempt, CallbackEvent, CallbackRequest, InboundCall, Letter


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


# --- Reads for the reports ------------------------------------------------------------------
# Whether an attempt was placed in time: the first by the callback's first deadline (the
# target after the later of restoration and filing), each retry within the retry window of the
# attempt before it. Computed from the rows, not from ``due_at``, which a retry moves on.
DONE_AT_ONCE = (policy.ANSWERED, policy.LEFT_VOICEMAIL)
CHANNEL_LIVE_CALL = "Live call"


def _duration(value):
    return Value(value, output_field=DurationField())


def _first_deadline(prefix=""):
    created = F(f"{prefix}created_at")
    start = Greatest(Coalesce(F(f"{prefix}outage__restored_at"), created), created)
    return ExpressionWrapper(start + _duration(conf.rules().target), output_field=DateTimeField())


def _attempt_deadline():
    previous = CallbackAttempt.objects.filter(
        callback_id=OuterRef("callback_id"), number=OuterRef("number") - 1
    ).values("at")[:1]
    retry_by = ExpressionWrapper(
        Subquery(previous, output_field=DateTimeField()) + _duration(conf.rules().retry_window),
        output_field=DateTimeField(),
    )
    return Case(
        When(number=1, then=_first_deadline("callback__")),
        default=retry_by,
        output_field=DateTimeField(),
    )


def _outcome_counts():
    return {
        "answered": Count("id", filter=Q(outcome=policy.ANSWERED)),
        "voicemail": Count("id", filter=Q(outcome=policy.LEFT_VOICEMAIL)),
        "no_voicemail": Count("id", filter=Q(outcome=policy.NO_VOICEMAIL)),
        "wrong_number": Count("id", filter=Q(outcome=policy.WRONG_NUMBER)),
        "still_without_service": Count("id", filter=Q(outcome=policy.STILL_WITHOUT_SERVICE)),
    }


def attempt_figures_by_outage(*, outage_ids):
    """Per outage: attempts by outcome, retries, first attempts, first attempts placed by the
    first deadline and first attempts that ended the callback (answered or voicemail).
    {outage_id: {...}}; one grouped query."""
    rows = (
        CallbackAttempt.objects.filter(callback__outage_id__in=outage_ids)
        .annotate(deadline=_first_deadline("callback__"))
        .order_by()
        .values("callback__outage_id")
        .annotate(
            attempts=Count("id"),
            retries=Count("id", filter=Q(number__gt=1)),
            first_attempts=Count("id", filter=Q(number=1)),
            # Only first attempts are measured here: their deadline needs no earlier attempt.
            first_in_time=Count("id", filter=Q(number=1, at__lte=F("deadline"))),
            first_success=Count("id", filter=Q(number=1, outcome__in=DONE_AT_ONCE)),
            **_outcome_counts(),
        )
    )
    return {row.pop("callback__outage_id"): row for row in rows}


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


def attempts_by_agent_for_outage(*, outage_id):
    """Who carried the outage's callbacks: per agent, attempts and how many ended the callback,
    busiest first."""
    return list(
        CallbackAttempt.objects.filter(callback__outage_id=outage_id)
        .order_by()
        .values("agent_id", "agent__username", "agent__first_name", "agent__last_name")
        .annotate(attempts=Count("id"), done=Count("id", filter=Q(outcome__in=DONE_AT_ONCE)))
        .order_by("-attempts", "agent__username")
    )


def callbacks_for_outage_csv(*, outage_id):
    """The outage's callbacks with their first attempt, for the report's CSV; iterate it."""
    first = CallbackAttempt.objects.filter(callback_id=OuterRef("pk"), number=1)
    return (
        CallbackRequest.objects.filter(outage_id=outage_id)
        .annotate(
            first_deadline=_first_deadline(),
            first_attempt_at=Subquery(first.values("at")[:1]),
            first_outcome=Subquery(first.values("outcome")[:1]),
        )
        .order_by("created_at", "id")
        .values_list(
            "id",
            "created_at",
            "account_number",
            "status",
            "first_deadline",
            "first_attempt_at",
            "first_outcome",
            "attempts",
        )
    )


def inbound_calls_count_by_outage(*, outage_ids):
    rows = (
        InboundCall.objects.filter(outage_id__in=outage_ids)
        .order_by()
        .values_list("outage_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def attempts_by_agent_day(*, start, end, tzinfo):
    """Per agent and local day in ``[start, end)``: attempts, by outcome, and how many were
    placed in time (first attempts by the first deadline, retries within the retry window).
    Used to build the reports' daily summary rows (a refresh, not a page)."""
    return (
        CallbackAttempt.objects.filter(at__gte=start, at__lt=end)
        .annotate(deadline=_attempt_deadline(), day=TruncDate("at", tzinfo=tzinfo))
        .order_by()
        .values("agent_id", "day")
        .annotate(
            attempts=Count("id"),
            first_attempts=Count("id", filter=Q(number=1)),
            in_time=Count("id", filter=Q(at__lte=F("deadline"))),
            **_outcome_counts(),
        )
    )


def inbound_calls_by_hour(*, start, end):
    """Inbound calls (lookups that opened a card) per hour in ``[start, end)``."""
    return (
        InboundCall.objects.filter(at__gte=start, at__lt=end)
        .annotate(hour=TruncHour("at"))
        .order_by()
        .values_list("hour")
        .annotate(n=Count("id"))
    )


def inbound_calls_for_customer(*, customer_id):
    return list(
        InboundCall.objects.filter(customer_id=customer_id)
        .select_related("agent", "outage")
        .order_by("-at", "-id")
    )


def inbound_call_for_note(*, pk, agent):
    return InboundCall.objects.filter(pk=pk, agent=agent).select_related("customer").first()


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


def first_attempt_at():
    """When the earliest attempt on record was made (None without attempts)."""
    return CallbackAttempt.objects.order_by("at").values_list("at", flat=True).first()


def first_inbound_call_at():
    return InboundCall.objects.order_by("at").values_list("at", flat=True).first()


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
