"""Reads about callbacks that views and tasks share."""

from django.db.models import F, Prefetch

from . import policy
from .models import CallbackAttempt, CallbackEvent, CallbackRequest, Letter


def callbacks_queue():
    """Due work, earliest deadline first."""
    return (
        CallbackRequest.objects.workable()
        .select_related("outage", "assigned_to")
        .order_by("due_at", "id")
    )


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
        Letter.objects.filter(status=Letter.Status.TO_SEND)
        .select_related("callback", "callback__outage")
        .order_by("produced_at", "id")
    )


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
