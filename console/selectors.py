"""Reads the live-call screen needs beyond what the apps' selectors give."""

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
