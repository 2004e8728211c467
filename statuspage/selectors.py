"""What the public page shows: outages by region and area, the status of one area, the last
30 days. Only outage facts, never a customer's: answers are plain data, cached per version
(bumped by every outage change, see ``subscribers``) for ``STATUSPAGE_CACHE_SECONDS``, so a
crowd of visitors at an outage's start costs the database one query set per change. Each
web process also keeps what it read for the current version for a few seconds, so a visitor
costs one cache round trip (the version) instead of two."""

from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch

from callbacks.models import CallbackRequest
from core.cache import ProcessMemo, version
from outages import lifecycle, normalise
from outages.models import Coverage, Customer, Outage, OutageUpdate, ServiceArea

VERSION_KEY = "statuspage:version"
HISTORY_DAYS = 30
_kept = ProcessMemo(seconds=5)  # adds at most 5 s to an answer's STATUSPAGE_CACHE_SECONDS


def _version():
    return version(VERSION_KEY)


def _cached(name, compute):
    key = f"statuspage:{name}:{_version()}"
    value = _kept.get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.STATUSPAGE_CACHE_SECONDS)
    _kept.set(key, value)
    return value


@dataclass(frozen=True)
class PublicOutage:
    id: int
    title: str
    service: str
    status: str
    status_label: str
    kind: str
    started_at: object
    etr: object
    restored_at: object
    update_message: str
    update_at: object
    areas: list = field(default_factory=list)  # [(code, name, region)]
    all_areas: bool = False


def _latest_public_updates():
    return Prefetch(
        "updates",
        queryset=OutageUpdate.objects.filter(public=True)
        .exclude(message="")
        .order_by("-at", "-id"),
        to_attr="public_updates",
    )


def _public(outage):
    latest = outage.public_updates[0] if outage.public_updates else None
    return PublicOutage(
        id=outage.pk,
        title=outage.title,
        service=outage.service,
        status=outage.status,
        status_label=lifecycle.STATUS_LABELS.get(outage.status, outage.status),
        kind=outage.kind,
        started_at=outage.started_at,
        etr=outage.etr,
        restored_at=outage.restored_at,
        update_message=latest.message if latest else "",
        update_at=latest.at if latest else None,
        areas=[(a.code, a.name, a.region) for a in outage.areas.all()],
        all_areas=outage.all_areas,
    )


def _current():
    outages = (
        Outage.objects.current()
        .prefetch_related("areas", _latest_public_updates())
        .order_by("-started_at")
    )
    return [_public(o) for o in outages]


@dataclass(frozen=True)
class Board:
    everywhere: list  # outages covering every area
    regions: list  # [(region, [(area code, area name, [PublicOutage])])]
    count: int


def _board():
    current = _current()
    everywhere = [o for o in current if o.all_areas]
    by_region = {}
    for outage in current:
        for code, name, region in outage.areas:
            by_region.setdefault(region, {}).setdefault((code, name), []).append(outage)
    regions = [
        (region, [(code, name, outs) for (code, name), outs in sorted(areas.items())])
        for region, areas in sorted(by_region.items())
    ]
    return Board(everywhere=everywhere, regions=regions, count=len(current))


def cached_page(name, render):
    """Rendered HTML that is the same for every visitor, cached like the data."""
    return _cached(f"page:{name}", render)


def status_board():
    return _cached("board", _board)


@dataclass(frozen=True)
class AreaAnswer:
    found: bool
    area_name: str
    area_region: str
    outages: list


def _area_answer(area_id):
    area = ServiceArea.objects.filter(pk=area_id).first()
    if area is None:
        return AreaAnswer(False, "", "", [])
    outages = (
        Outage.objects.current()
        .covering(area)
        .prefetch_related("areas", _latest_public_updates())
        .order_by("-started_at")
    )
    return AreaAnswer(True, area.name, area.region, [_public(o) for o in outages])


def area_for_query(query):
    """The area id a typed postal code (or account number) belongs to, or None. An account
    number only ever leads to its area: nothing about the customer leaves here."""
    text = (query or "").strip()
    if not text:
        return None
    code = normalise.postal_code(text)
    area_id = Coverage.objects.filter(postal_code=code).values_list("area_id", flat=True).first()
    if area_id is None:
        area_id = (
            Customer.objects.filter(account_number=text).values_list("area_id", flat=True).first()
        )
    return area_id


def area_status(area_id):
    if area_id is None:
        return AreaAnswer(False, "", "", [])
    return _cached(f"area:{area_id}", lambda: _area_answer(area_id))


def _history(now):
    since = now - timedelta(days=HISTORY_DAYS)
    outages = (
        Outage.objects.filter(started_at__gte=since)
        .prefetch_related("areas", _latest_public_updates())
        .order_by("-started_at")
    )
    rows = []
    for outage in outages:
        public = _public(outage)
        duration = ""
        if outage.restored_at:
            duration = lifecycle.describe_duration(outage.restored_at - outage.started_at)
        rows.append((public, duration))
    return rows


def history(*, now):
    # Keyed by the hour too: the 30-day window moves even when no outage changes.
    return _cached(f"history:{now:%Y%m%d%H}", lambda: _history(now))


def area_and_outage_for_request(postal_code):
    """For a web callback request: the area of the postal code and the outage that covers it
    now (the most recent), or ``(None, None)``."""
    coverage = Coverage.objects.select_related("area").filter(postal_code=postal_code).first()
    area = coverage.area if coverage else None
    outage = Outage.objects.active().covering(area).order_by("-started_at").first()
    return area, outage


def customer_for_request(*, account_number, postal_code):
    """The customer an account number names, only when the postal code matches too (so the
    callback reaches the agent with the account; the visitor learns nothing either way)."""
    if not account_number:
        return None
    return Customer.objects.filter(
        account_number=account_number.strip(), postal_code=postal_code
    ).first()


def callback_for_customer_link(pk):
    return CallbackRequest.objects.select_related("outage").filter(pk=pk).first()


def as_dict(value):
    return asdict(value)
