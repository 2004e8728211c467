"""Reads about areas, customers and outages that views and tasks share."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast

from core.precompiled import Precompiled, stand_in_id, stand_in_text

from . import lifecycle, normalise
from .models import Coverage, Customer, Escalation, Outage, OutageUpdate, RefundReview, ServiceArea

ADDRESS_MATCHES = 8
ADDRESS_MIN_LENGTH = 3


@dataclass
class Lookup:
    """What one search found: a customer, or a list to pick from, or just an area."""

    query: str
    customer: Customer | None = None
    matches: list = field(default_factory=list)
    area: ServiceArea | None = None
    postal_code: str = ""
    kind: str = ""  # account | phone | postal_code | address | none
    more_matches: bool = False  # more customers match than ``matches`` lists

    @property
    def found(self):
        return self.customer is not None or self.area is not None or bool(self.matches)


def _customers():
    return Customer.objects.select_related("area")


def lookup(query):
    """Resolve what the agent typed: account number, phone, postal code or part of an address.

    Exact keys resolve directly, tried in that order, one query each, except that text which
    reads as a phone number is tried as an account number and a phone number in one (at most
    three queries whatever the size of the directory). A postal code that no customer is
    needed for gives its area. An address gives the best few matches to pick from: trigram
    word similarity on PostgreSQL (so a typo still finds the street), containment
    elsewhere."""
    text = " ".join((query or "").split())
    result = Lookup(query=text)
    if not text:
        return result
    # Account numbers are stored as issued; people type them in either case. Text that
    # reads as a phone number is tried as both in one statement, the account first.
    phone = _phone_in(text)
    if phone:
        found = _BY_ACCOUNT_OR_PHONE.run(typed=text, upper=text.upper(), phone=phone)
    else:
        found = _BY_ACCOUNT.run(typed=text, upper=text.upper())
    if found and (not phone or found[0].by_account):
        customer = found[0]
        result.customer, result.area, result.kind = customer, customer.area, "account"
        return result
    if found:
        return _pick(result, "phone", found)
    postal = normalise.postal_code(text)
    if 3 <= len(postal) <= 10:
        coverage = Coverage.objects.select_related("area").filter(postal_code=postal).first()
        if coverage:
            result.kind, result.area, result.postal_code = "postal_code", coverage.area, postal
            return result
    if len(text) >= ADDRESS_MIN_LENGTH:
        matches = customers_matching_address(text, limit=ADDRESS_MATCHES + 1)
        if matches:
            return _pick(result, "address", matches)
    result.kind = "none"
    return result


def _phone_in(text):
    """The E.164 number ``text`` reads as, or None."""
    if not normalise.looks_like_phone(text):
        return None
    try:
        return normalise.phone_e164(text, region=settings.DEFAULT_PHONE_REGION)
    except normalise.InvalidPhone:
        return None


def _by_account(typed, upper, phone=None):
    """The customer with that account number; with a ``phone``, also the customers with that
    number (at most ``ADDRESS_MATCHES`` and one more), the account's first (``by_account``)."""
    account = Q(account_number__in=[typed, upper])
    if phone is None:
        return _customers().filter(account)[:1]
    is_account = Case(When(account, then=Value(True)), default=Value(False))
    return (
        _customers()
        .filter(account | Q(phone=phone))
        .annotate(by_account=is_account)
        .order_by("-by_account", "account_number")[: ADDRESS_MATCHES + 1]
    )


# Every lookup runs one of them: their SQL is written once per process.
_TYPED = {"typed": stand_in_text("typed"), "upper": stand_in_text("upper")}
_BY_ACCOUNT = Precompiled(_by_account, **_TYPED)
_BY_ACCOUNT_OR_PHONE = Precompiled(_by_account, **_TYPED, phone=stand_in_text("phone"))


def _pick(result, kind, matches):
    """One match is the customer; several are a list to pick from (at most ADDRESS_MATCHES,
    saying so when more were found: one more than shown is fetched to know)."""
    result.kind = kind
    result.more_matches = len(matches) > ADDRESS_MATCHES
    matches = matches[:ADDRESS_MATCHES]
    if len(matches) == 1 and not result.more_matches:
        result.customer, result.area = matches[0], matches[0].area
    else:
        result.matches = matches
    return result


def customers_matching_address(text, *, limit=ADDRESS_MATCHES):
    """The customers whose address best matches ``text``, best first (one query).

    PostgreSQL: ``pg_trgm`` word similarity (``address %> text``, served by the GIN trigram
    index), so "12 Mapel Avenu" finds "12 Maple Avenue"; an exact substring scores highest.
    Elsewhere: case-insensitive containment. Equally good matches come in street order with
    house numbers as numbers ("24" before "205")."""
    if connection.vendor == "postgresql":
        return list(address_search(text, limit=limit))
    found = list(_customers().filter(address__icontains=text)[:1000])
    found.sort(key=lambda customer: (_house_number(customer.address), customer.address))
    return found[:limit]


def address_search(text, *, limit=ADDRESS_MATCHES):
    """The PostgreSQL query of ``customers_matching_address`` (not yet run): the benchmarks
    run its SQL directly to measure PostgreSQL's share of an address lookup."""
    house = Cast(Func(F("address"), Value(r"^\s*(\d{1,9})"), function="substring"), IntegerField())
    return (
        _customers()
        .filter(address__trigram_word_similar=text)
        .annotate(similarity=TrigramWordSimilarity(text, "address"), house=house)
        .order_by("-similarity", F("house").asc(nulls_last=True), "address", "account_number")[
            :limit
        ]
    )


_HOUSE_NUMBER = re.compile(r"\s*(\d{1,9})")


def _house_number(address):
    match = _HOUSE_NUMBER.match(address or "")
    return int(match[1]) if match else 10**10


def lookup_customer(customer_id):
    """The agent picked one of several matches."""
    customer = _customers().filter(pk=customer_id).first()
    if customer is None:
        return Lookup(query="", kind="none")
    return Lookup(
        query=customer.account_number, customer=customer, area=customer.area, kind="account"
    )


# The latest timeline entry of an outage, as far as the live-call banner shows it.
_LATEST_UPDATE_FIELDS = ("id", "at", "status", "message")


def _latest_update(field_name):
    latest = OutageUpdate.objects.filter(outage=OuterRef("pk")).order_by("-at", "-id")
    return Subquery(latest.values(field_name)[:1])


def _covering(*, include_restored, area=None, customer=None):
    outages = Outage.objects.current() if include_restored else Outage.objects.active()
    annotations = {f"latest_update_{name}": _latest_update(name) for name in _LATEST_UPDATE_FIELDS}
    if customer is not None:
        reviews = RefundReview.objects.filter(customer_id=customer, outage=OuterRef("pk"))
        reviews = reviews.order_by("pk")
        annotations["refund_requested_at"] = Subquery(reviews.values("requested_at")[:1])
    return outages.covering(area).annotate(**annotations).order_by("-started_at")


# Every lookup runs one of them: their SQL is written once per process.
_COVERING = {
    (restored, with_area, for_customer): Precompiled(
        lambda restored=restored, **values: _covering(include_restored=restored, **values),
        **({"area": stand_in_id(1)} if with_area else {}),
        **({"customer": stand_in_id(2)} if for_customer else {}),
    )
    for restored in (False, True)
    for with_area in (False, True)
    for for_customer in (False, True)
}


def outages_covering_area(area, *, include_restored=False, customer=None):
    """Outages an agent should know about for this area, newest first, each with its latest
    timeline entry (``latest_update``, or None); with a ``customer``, also when a refund review
    was promised to them for each outage (``refund_requested_at``, or None). One query."""
    values = {}
    if area is not None:
        values["area"] = area if isinstance(area, int) else area.pk
    if customer is not None:
        values["customer"] = customer.pk
    outages = _COVERING[include_restored, "area" in values, "customer" in values].run(**values)
    for outage in outages:
        outage.latest_update = None
        if outage.latest_update_id is not None:
            # The entry as far as the banner shows it; the rest loads if asked for.
            outage.latest_update = OutageUpdate.from_db(
                outage._state.db,
                ["id", "outage_id", "at", "status", "message"],
                [
                    outage.latest_update_id,
                    outage.pk,
                    outage.latest_update_at,
                    outage.latest_update_status,
                    outage.latest_update_message,
                ],
            )
    return outages


def outages_version(area):
    """A short token that changes whenever anything an agent sees about the outages covering
    ``area`` changes (declared, updated, ETR moved, restored, reopened, closed): one indexed
    aggregate over the outages not closed, nothing rendered. ``area`` may be None (before a
    lookup: the outages covering every area); an area's primary key will do."""
    row = (
        Outage.objects.current()
        .covering(area)
        .aggregate(latest=Max("updated_at"), count=Count("id", distinct=True))
    )
    return _version(row["count"], row["latest"])


def outages_version_of(outages):
    """``outages_version`` of outages already read: every outage not closed that covers an
    area (``outages_covering_area(area, include_restored=True)``), without a query of its own.
    The token then matches exactly what was read."""
    return _version(len(outages), max((o.updated_at for o in outages), default=None))


def _version(count, latest):
    return f"{count}.{int(latest.timestamp() * 1_000_000) if latest else 0}"


def _open_escalations():
    return Escalation.objects.filter(cleared_at__isnull=True)


def outages_for_board():
    """Every outage not closed, with its areas and its open escalations (``open_escalations``);
    open ones first (in lifecycle order), then restored; newest first within each."""
    return (
        Outage.objects.current()
        .prefetch_related(
            "areas",
            Prefetch(
                "escalations",
                queryset=_open_escalations().order_by("raised_at"),
                to_attr="open_escalations",
            ),
        )
        .order_by("status", "-started_at")
    )


def escalations_open(*, limit=None):
    """Open escalations with their outage, newest first (one query)."""
    escalations = _open_escalations().select_related("outage", "area").order_by("-raised_at")
    return list(escalations[:limit] if limit else escalations)


def areas_matching(*, codes=(), regions=(), postal_codes=()):
    """The areas named by code, by region or through a postal code's coverage (two queries).

    Returns ``(areas, unknown)``: the areas in code order, and the codes and postal codes
    that named nothing (``{"codes": [...], "postal_codes": [...]}``) so a form can say which."""
    typed_codes = {c.strip() for c in codes if c.strip()}
    codes = typed_codes | {c.upper() for c in typed_codes}
    postal_codes = {normalise.postal_code(p) for p in postal_codes if p.strip()}
    regions = {r for r in regions if r}
    covered = {}
    if postal_codes:
        covered = dict(
            Coverage.objects.filter(postal_code__in=postal_codes).values_list(
                "postal_code", "area_id"
            )
        )
    if not (codes or regions or covered):
        return [], {"codes": sorted(typed_codes), "postal_codes": sorted(postal_codes)}
    areas = list(
        ServiceArea.objects.filter(
            Q(code__in=codes) | Q(region__in=regions) | Q(pk__in=covered.values())
        ).order_by("code")
    )
    found = {area.code for area in areas}
    unknown = {
        "codes": sorted(c for c in typed_codes if c not in found and c.upper() not in found),
        "postal_codes": sorted(postal_codes - covered.keys()),
    }
    return areas, unknown


def regions():
    """The distinct regions, for the declare form."""
    return list(ServiceArea.objects.order_by("region").values_list("region", flat=True).distinct())


def refund_reviews_to_do():
    """Refund reviews requested for outages that are over (restored or closed), oldest first,
    each with ``outage_duration`` (how long the outage lasted for that customer's area)."""
    reviews = list(
        RefundReview.objects.filter(
            status=RefundReview.Status.REQUESTED,
            outage__status__in=[lifecycle.RESTORED, lifecycle.CLOSED],
            outage__restored_at__isnull=False,
        )
        .select_related("customer", "outage", "area", "requested_by")
        .order_by("requested_at", "pk")
    )
    for review in reviews:
        review.outage_duration = lifecycle.duration(
            started_at=review.outage.started_at, restored_at=review.outage.restored_at
        )
        review.outage_duration_text = lifecycle.describe_duration(review.outage_duration)
    return reviews


def outage_with_timeline(outage_id):
    """One outage with its areas, its timeline (newest first, with authors) and its open
    escalations (``open_escalations``)."""
    return (
        Outage.objects.prefetch_related(
            "areas",
            Prefetch("updates", queryset=OutageUpdate.objects.select_related("author")),
            Prefetch(
                "escalations",
                queryset=_open_escalations().order_by("raised_at"),
                to_attr="open_escalations",
            ),
        )
        .filter(pk=outage_id)
        .first()
    )


def restored_outages():
    return Outage.objects.filter(status__in=[lifecycle.RESTORED, lifecycle.CLOSED])


# --- Reads for the reports (post-incident reports, archive, analytics, customer history) ---
ARCHIVE_PAGE = 50


def outages_archive(*, text="", area_code="", start=None, end=None, status="", limit=ARCHIVE_PAGE):
    """Outages matching a search, newest first: title (or cause) words, an area code, a start
    date range ``[start, end)`` and a status. ``start``/``end`` are aware datetimes or None."""
    outages = Outage.objects.all()
    for word in text.split():
        outages = outages.filter(Q(title__icontains=word) | Q(service__icontains=word))
    if area_code:
        outages = outages.filter(Q(all_areas=True) | Q(areas__code__iexact=area_code.strip()))
    if start is not None:
        outages = outages.filter(started_at__gte=start)
    if end is not None:
        outages = outages.filter(started_at__lt=end)
    if status:
        outages = outages.filter(status=status)
    return list(outages.distinct().prefetch_related("areas").order_by("-started_at", "-id")[:limit])


def outage_for_report(outage_id):
    """One outage with its areas and its whole timeline, oldest first (with authors)."""
    return (
        Outage.objects.select_related("declared_by")
        .prefetch_related(
            "areas",
            Prefetch(
                "updates",
                queryset=OutageUpdate.objects.select_related("author").order_by("at", "id"),
                to_attr="timeline_oldest_first",
            ),
            Prefetch("escalations", queryset=Escalation.objects.order_by("raised_at", "id")),
        )
        .filter(pk=outage_id)
        .first()
    )


def customers_affected_count(outage):
    """Customers in the directory the outage covers (every customer for all areas)."""
    if outage.all_areas:
        return Customer.objects.count()
    return Customer.objects.filter(area__in=outage.areas.all()).count()


def customers_affected_by_area(outage):
    """Directory customers per area of the outage: [(area, count)], by area code."""
    counted = dict(
        Customer.objects.filter(area__in=outage.areas.all())
        .order_by()
        .values_list("area_id")
        .annotate(n=Count("id"))
        .values_list("area_id", "n")
    )
    return [(area, counted.get(area.pk, 0)) for area in outage.areas.all()]


def refund_reviews_for_outage(outage_id):
    return list(
        RefundReview.objects.filter(outage_id=outage_id)
        .select_related("customer", "area", "requested_by")
        .order_by("requested_at", "id")
    )


def refund_reviews_for_customer(customer_id):
    return list(
        RefundReview.objects.filter(customer_id=customer_id)
        .select_related("outage", "requested_by", "reviewed_by")
        .order_by("-requested_at", "-id")
    )


def customer_for_history(customer_id):
    return Customer.objects.select_related("area").filter(pk=customer_id).first()


def outages_between(*, start, end):
    """Outages that started in ``[start, end)``, oldest first (a year holds a few hundred)."""
    return list(
        Outage.objects.filter(started_at__gte=start, started_at__lt=end).order_by(
            "started_at", "id"
        )
    )


def etrs_given(*, outage_ids):
    """Every ETR announced for these outages: [(outage_id, announced at, etr)], in order."""
    return list(
        OutageUpdate.objects.filter(outage_id__in=outage_ids, etr__isnull=False)
        .order_by("outage_id", "at", "id")
        .values_list("outage_id", "at", "etr")
    )


def outages_health():
    """Outages by status (closed ones excluded) and open escalations by reason."""
    by_status = dict(
        Outage.objects.current()
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    escalations = dict(
        Escalation.objects.filter(cleared_at__isnull=True)
        .order_by()
        .values_list("reason")
        .annotate(n=Count("id"))
        .values_list("reason", "n")
    )
    return {
        "by_status": {
            s: by_status.get(s, 0) for s in lifecycle.STATUS_LABELS if s != lifecycle.CLOSED
        },
        "escalations": {r: escalations.get(r, 0) for r in Escalation.Reason.values},
    }
