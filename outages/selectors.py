"""Reads about areas, customers and outages that views and tasks share."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch

from . import lifecycle, normalise
from .models import Coverage, Customer, Outage, OutageUpdate, ServiceArea

ADDRESS_MATCHES = 8


@dataclass
class Lookup:
    """What one search found: a customer, or a list to pick from, or just an area."""

    query: str
    customer: Customer | None = None
    matches: list = field(default_factory=list)
    area: ServiceArea | None = None
    postal_code: str = ""
    kind: str = ""  # account | phone | postal_code | address | none

    @property
    def found(self):
        return self.customer is not None or self.area is not None or bool(self.matches)


def _customers():
    return Customer.objects.select_related("area")


def lookup(query):
    """Resolve what the agent typed: account number, phone, postal code or part of an address.

    Exact keys resolve directly; an address gives the best few matches to pick from."""
    text = (query or "").strip()
    result = Lookup(query=text)
    if not text:
        return result
    customer = _customers().filter(account_number__iexact=text).first()
    if customer:
        result.customer, result.area, result.kind = customer, customer.area, "account"
        return result
    if normalise.looks_like_phone(text):
        try:
            phone = normalise.phone_e164(text, region=settings.DEFAULT_PHONE_REGION)
        except normalise.InvalidPhone:
            phone = None
        if phone:
            matches = list(_customers().filter(phone=phone)[:ADDRESS_MATCHES])
            if matches:
                result.kind = "phone"
                if len(matches) == 1:
                    result.customer, result.area = matches[0], matches[0].area
                else:
                    result.matches = matches
                return result
    postal = normalise.postal_code(text)
    if 3 <= len(postal) <= 10:
        coverage = Coverage.objects.select_related("area").filter(postal_code=postal).first()
        if coverage:
            result.kind, result.area, result.postal_code = "postal_code", coverage.area, postal
            return result
    matches = list(
        _customers().filter(address__icontains=text).order_by("address")[:ADDRESS_MATCHES]
    )
    if matches:
        result.kind = "address"
        if len(matches) == 1:
            result.customer, result.area = matches[0], matches[0].area
        else:
            result.matches = matches
        return result
    result.kind = "none"
    return result


def lookup_customer(customer_id):
    """The agent picked one of several matches."""
    customer = _customers().filter(pk=customer_id).first()
    if customer is None:
        return Lookup(query="", kind="none")
    return Lookup(
        query=customer.account_number, customer=customer, area=customer.area, kind="account"
    )


def outages_covering_area(area, *, include_restored=False):
    """Outages an agent should know about for this area, most severe and newest first, with
    their latest timeline entry."""
    outages = Outage.objects.current() if include_restored else Outage.objects.active()
    return list(
        outages.covering(area)
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=OutageUpdate.objects.order_by("-at", "-id"),
                to_attr="timeline",
            )
        )
        .order_by("-started_at")
    )


def outages_for_board():
    return Outage.objects.current().prefetch_related("areas").order_by("status", "-started_at")


def outage_with_timeline(outage_id):
    return (
        Outage.objects.prefetch_related(
            "areas", Prefetch("updates", queryset=OutageUpdate.objects.select_related("author"))
        )
        .filter(pk=outage_id)
        .first()
    )


def restored_outages():
    return Outage.objects.filter(status__in=[lifecycle.RESTORED, lifecycle.CLOSED])
