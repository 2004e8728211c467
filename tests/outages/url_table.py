"""Routes of the outages app for the role walk in tests/console/test_urls.py (same format)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from core import roles
from outages import lifecycle
from outages.models import RefundReview
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory

ROUTES = {
    "outages:board": ("get", roles.SUPERVISOR, 200, {}),
    "outages:declare": ("get", roles.SUPERVISOR, 200, {}),
    "outages:detail": ("get", roles.SUPERVISOR, 200, {"pk": "outage"}),
    "outages:update": ("post", roles.SUPERVISOR, 400, {"pk": "outage"}),
    "outages:change_etr": ("post", roles.SUPERVISOR, 400, {"pk": "outage"}),
    "outages:restore": ("post", roles.SUPERVISOR, 302, {"pk": "outage"}),
    "outages:set_ivr": ("post", roles.SUPERVISOR, 302, {"pk": "outage"}),
    "outages:reopen": ("post", roles.SUPERVISOR, 302, {"pk": "outage"}),
    "outages:close": ("post", roles.SUPERVISOR, 302, {"pk": "outage"}),
    "outages:refund_reviews": ("get", roles.SUPERVISOR, 200, {}),
    "outages:refund_review_mark": ("post", roles.SUPERVISOR, 302, {"pk": "refund_review"}),
}


def objects():
    area = ServiceAreaFactory()
    now = timezone.now()
    restored = OutageFactory(
        areas=[area],
        status=lifecycle.RESTORED,
        started_at=now - timedelta(hours=3),
        restored_at=now - timedelta(hours=1),
    )
    review = RefundReview.objects.create(
        customer=CustomerFactory(area=area),
        outage=restored,
        area=area,
        requested_by=get_user_model().objects.get_or_create(username="reviewer")[0],
        requested_at=now - timedelta(minutes=30),
    )
    return {"outage": OutageFactory(areas=[area]).pk, "area": area.pk, "refund_review": review.pk}
