"""Reads the live-call screen needs beyond what the apps' selectors give."""

from django.db.models import F

from callbacks.models import CallbackRequest
from outages.models import RefundReview


def refund_review_requested_at(*, customer, outage):
    """When a refund review was promised to this customer for this outage, or None. One query."""
    if customer is None or outage is None:
        return None
    return (
        RefundReview.objects.filter(customer=customer, outage=outage)
        .values_list("requested_at", flat=True)
        .first()
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
