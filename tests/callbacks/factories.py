"""Factories for the callbacks tests: callbacks in a given state, with their outage restored."""

from datetime import UTC, datetime, timedelta

from callbacks import policy
from outages import lifecycle
from tests.factories import CallbackFactory, CustomerFactory, OutageFactory, ServiceAreaFactory

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def restored_outage(*, restored_at=T0, area=None):
    area = area or ServiceAreaFactory()
    return OutageFactory(
        areas=[area],
        status=lifecycle.RESTORED,
        started_at=restored_at - timedelta(hours=3),
        restored_at=restored_at,
        updated_at=restored_at,
    )


def due_callback(*, agent=None, restored_at=T0, outage=None, customer=None, **extra):
    """A released callback due 8 hours after its outage's restoration, held by ``agent``."""
    outage = outage or restored_outage(restored_at=restored_at)
    customer = customer or CustomerFactory(area=outage.areas.first())
    extra.setdefault("status", policy.ASSIGNED if agent else policy.QUEUED)
    extra.setdefault("due_at", restored_at + timedelta(hours=8))
    return CallbackFactory(
        outage=outage,
        customer=customer,
        name=customer.name,
        phone=customer.phone,
        account_number=customer.account_number,
        call_reason="No internet since the morning",
        category="outage",
        subcategory="no_service",
        released_at=restored_at,
        assigned_to=agent,
        assigned_at=restored_at if agent else None,
        created_at=restored_at - timedelta(hours=1),
        updated_at=restored_at,
        **extra,
    )
