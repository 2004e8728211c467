"""Reads about the callback's contact with the customer: letters, call logs, attempts and
inbound calls, for its pages and for the reports."""

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncHour

from callbacks import conf, policy
from callbacks.models import CallbackAttempt, CallbackRequest, Letter

from .models import InboundCall


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


# --- Reads for the reports ------------------------------------------------------------------
# Whether an attempt was placed in time: the first by the callback's first deadline (the
# target after the later of restoration and filing), each retry within the retry window of the
# attempt before it. Computed from the rows, not from ``due_at``, which a retry moves on.
DONE_AT_ONCE = (policy.ANSWERED, policy.LEFT_VOICEMAIL)


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


def first_attempt_at():
    """When the earliest attempt on record was made (None without attempts)."""
    return CallbackAttempt.objects.order_by("at").values_list("at", flat=True).first()


def first_inbound_call_at():
    return InboundCall.objects.order_by("at").values_list("at", flat=True).first()


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


def letters_to_send():
    """No-contact letters waiting to be posted, oldest first."""
    return (
        # A cancelled callback's letter is not posted (it comes back if the callback does).
        Letter.objects.filter(status=Letter.Status.TO_SEND, callback__status=policy.LETTER)
        .select_related("callback", "callback__outage")
        .order_by("produced_at", "id")
    )
