"""Reads for the API: what the IVR says to a caller, and what the CRM pulls.

What is the same for every caller of an area (its outage, the announcement, the ETR) is read
once and cached for a short while, keyed by a version that every outage change bumps
(``subscribers``): a storm of calls at an outage's start costs two small queries per call, and
a changed ETR is heard on the next call. Each web process also keeps the answers it read for
the current version (a dict in memory), so a call reads only the version from the cache."""

from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from callbacks import policy
from callbacks.models import CallbackAttempt, CallbackEvent, CallbackRequest, Letter
from core.cache import ProcessMemo, version
from outages import lifecycle, normalise
from outages.models import Coverage, Customer, Outage, OutageUpdate, ServiceArea
from scripts_library import moments, placeholders
from scripts_library.selectors import script_choices_for_call

from . import ivr, wording
from .models import ApiKey, WebhookDelivery, WebhookSubscription

OUTAGES_VERSION_KEY = "api:outages-version"
AREA_CACHE_SECONDS = 30
_area_answers = ProcessMemo(seconds=5)  # adds at most 5 s to an answer's 30
_SEVERITY_ORDER = Case(
    When(severity=lifecycle.CRITICAL, then=Value(0)),
    When(severity=lifecycle.MAJOR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _local(dt):
    return timezone.localtime(dt) if dt else None


def outages_version():
    return version(OUTAGES_VERSION_KEY)


@dataclass(frozen=True)
class AreaStatus:
    """What the IVR says to anyone calling from one area (or from nowhere known)."""

    area_id: int | None
    area_code: str
    area_name: str
    area_region: str
    outage_id: int | None
    outage_title: str
    outage_status: str
    outage_kind: str
    etr: str | None  # ISO 8601, UTC
    etr_words: str
    announce: bool
    offers_callbacks: bool
    announcement: str


def _announcement(outage, *, area_name, now):
    choice = script_choices_for_call(wanted=[moments.IVR_ANNOUNCEMENT], outage=outage).get(
        moments.IVR_ANNOUNCEMENT
    )
    if choice is None:
        return ""
    values = dict(wording.SPOKEN_GAPS)
    values.update(
        brand=settings.BRAND_NAME,
        inbound_number=settings.INBOUND_NUMBER,
        area=area_name or None,
        outage=outage.title,
        cause=outage.cause or None,
        etr=wording.time_in_words(_local(outage.etr), now=_local(now)) if outage.etr else None,
        callback_deadline=wording.expected_callback(
            due_at=None, now=_local(now), target=settings.CALLBACK_TARGET
        ),
    )
    spoken = {key: (value if value else wording.SPOKEN_GAPS[key]) for key, value in values.items()}
    return placeholders.render_plain(choice.body, spoken)


def _area_status(area, *, now):
    outage = Outage.objects.active().covering(area).order_by(_SEVERITY_ORDER, "-started_at").first()
    area_name = area.name if area else ""
    etr_words = ""
    if outage is not None and outage.etr:
        etr_words = wording.time_in_words(_local(outage.etr), now=_local(now))
    announce = outage is not None and outage.ivr_announce
    return AreaStatus(
        area_id=area.pk if area else None,
        area_code=area.code if area else "",
        area_name=area_name,
        area_region=area.region if area else "",
        outage_id=outage.pk if outage else None,
        outage_title=outage.title if outage else "",
        outage_status=outage.status if outage else "",
        outage_kind=outage.kind if outage else "",
        etr=outage.etr.isoformat() if outage and outage.etr else None,
        etr_words=etr_words,
        announce=announce,
        offers_callbacks=announce and outage.ivr_offers_callbacks,
        announcement=_announcement(outage, area_name=area_name, now=now) if announce else "",
    )


def area_status_key(area_id, version):
    return f"api:ivr-area:{area_id or 'none'}:{version}"


def area_status_remembered(area_id, version):
    """The status of an area this process read lately for ``version``, or None: no I/O (the
    events process asks this on its event loop, and ``area_status`` in a thread otherwise)."""
    return _area_answers.get(area_status_key(area_id, version))


def area_status(area, *, now, version=None):
    """The cached status of ``area`` (None: a caller we cannot place) for the outages'
    ``version`` (read from the cache when not given)."""
    if version is None:
        version = outages_version()
    key = area_status_key(area.pk if area else None, version)
    status = _area_answers.get(key)
    if status is not None:
        return status
    cached = cache.get(key)
    if cached is not None:
        status = AreaStatus(**cached)
    else:
        status = _area_status(area, now=now)
        cache.set(key, asdict(status), AREA_CACHE_SECONDS)
    _area_answers.set(key, status)
    return status


@dataclass(frozen=True)
class Caller:
    matched_by: str  # "account", "ani", "postal_code" or "none"
    customer: Customer | None
    area: object | None
    phone: str  # E.164, "" when no valid number was given


@dataclass(frozen=True)
class CallerQuery:
    """What a caller is looked up by, written as the directory writes it ("" when not given)."""

    account_number: str
    phone: str
    postal_code: str


def caller_query(*, ani="", account_number="", postal_code=""):
    """Raises ``normalise.InvalidPhone`` for an ANI that is not a number."""
    return CallerQuery(
        account_number=account_number.strip(),
        phone=normalise.phone_e164(ani, region=settings.DEFAULT_PHONE_REGION) if ani else "",
        postal_code=normalise.postal_code(postal_code) if postal_code else "",
    )


def caller_identify(*, ani="", account_number="", postal_code=""):
    """Place a caller: the account number first, then the calling number, then a postal code
    typed on the keypad. Raises ``normalise.InvalidPhone`` for an ANI that is not a number.
    (``caller_statement`` reads the same in one statement, for the events process.)"""
    query = caller_query(ani=ani, account_number=account_number, postal_code=postal_code)
    phone = query.phone
    customers = Customer.objects.select_related("area").only(
        "id", "account_number", "phone", "name", "postal_code", "area"
    )
    if query.account_number:
        customer = customers.filter(account_number=query.account_number).first()
        if customer is not None:
            return Caller("account", customer, customer.area, phone)
    if phone:
        customer = customers.filter(phone=phone).order_by("id").first()
        if customer is not None:
            return Caller("ani", customer, customer.area, phone)
    if query.postal_code:
        coverage = (
            Coverage.objects.select_related("area").filter(postal_code=query.postal_code).first()
        )
        if coverage is not None:
            return Caller("postal_code", None, coverage.area, phone)
    return Caller("none", None, None, phone)


def open_callback_for_phone(phone, *, outage_id=None):
    """The caller's open callback, the one for this outage first (else the newest): one
    query, on the open callbacks' phone index."""
    if not phone:
        return None
    open_ones = list(
        CallbackRequest.objects.open()
        .filter(phone=phone)
        .only("id", "status", "due_at", "outage_id", "channel", "created_at")
        .order_by("-created_at")[:OPEN_CALLBACKS_SEEN]
    )
    return ivr.choose_open_callback(open_ones, outage_id=outage_id)


OPEN_CALLBACKS_SEEN = 50  # far above what one phone has open (one per outage)


def caller_statement():
    """``caller_identify`` and the caller's open callbacks (as ``open_callback_for_phone``
    reads them) in one SQL statement, for the events process (``api.ivr_asgi``): one round
    trip a call. Parameters ``account``, ``phone`` and ``postal`` (NULL when not given); one
    row: how the caller was matched (NULL: not placed), their area's id, code, name and region,
    and their open callbacks newest first as parallel arrays (id, status, due_at, outage_id).
    PostgreSQL only. The tests hold it to the same answers as the ORM reads above."""
    customers, coverage = Customer._meta.db_table, Coverage._meta.db_table
    areas, callbacks = ServiceArea._meta.db_table, CallbackRequest._meta.db_table
    open_statuses = ", ".join(f"'{status}'" for status in sorted(policy.OPEN_STATUSES))
    return f"""
WITH caller AS (
    SELECT matched_by, area_id FROM (
        (SELECT 1 AS step, 'account' AS matched_by, area_id FROM {customers}
          WHERE account_number = %(account)s LIMIT 1)
        UNION ALL
        (SELECT 2, 'ani', area_id FROM {customers}
          WHERE phone = %(phone)s ORDER BY id LIMIT 1)
        UNION ALL
        (SELECT 3, 'postal_code', area_id FROM {coverage}
          WHERE postal_code = %(postal)s LIMIT 1)
    ) found ORDER BY step LIMIT 1
), open_callbacks AS (
    SELECT id, status, due_at, outage_id FROM {callbacks}
     WHERE phone = %(phone)s AND status IN ({open_statuses})
     ORDER BY created_at DESC LIMIT {OPEN_CALLBACKS_SEEN}
)
SELECT caller.matched_by, area.id, area.code, area.name, area.region,
       (SELECT array_agg(id) FROM open_callbacks),
       (SELECT array_agg(status) FROM open_callbacks),
       (SELECT array_agg(due_at) FROM open_callbacks),
       (SELECT array_agg(outage_id) FROM open_callbacks)
  FROM (SELECT 1) one
  LEFT JOIN caller ON true
  LEFT JOIN {areas} area ON area.id = caller.area_id
"""


# --- CRM ------------------------------------------------------------------------------------


def call_logs_after(*, cursor, limit):
    """Call logs (the CSV export's rows) with an id above ``cursor``, oldest first."""
    return list(
        CallbackAttempt.objects.filter(pk__gt=cursor)
        .select_related("agent", "callback", "callback__outage")
        .order_by("pk")[:limit]
    )


def letters_by_status(*, status, cursor, limit):
    return list(
        Letter.objects.filter(status=status, pk__gt=cursor)
        .select_related("callback")
        .order_by("pk")[:limit]
    )


def callbacks_by_status(*, statuses, cursor, limit, channel=""):
    callbacks = CallbackRequest.objects.filter(pk__gt=cursor)
    if statuses:
        callbacks = callbacks.filter(status__in=statuses)
    if channel:
        callbacks = callbacks.filter(channel=channel)
    return list(callbacks.order_by("pk")[:limit])


# --- the console pages -----------------------------------------------------------------------


def api_keys():
    return ApiKey.objects.select_related("created_by", "revoked_by").order_by("revoked_at", "name")


def webhook_subscriptions():
    return WebhookSubscription.objects.order_by("name", "id")


def webhook_deliveries(*, subscription=None, limit=200):
    deliveries = WebhookDelivery.objects.select_related("subscription").order_by("-id")
    if subscription is not None:
        deliveries = deliveries.filter(subscription=subscription)
    return list(deliveries[:limit])


def latest_ids():
    """Where the callbacks' and outages' timelines end now: a new subscription starts there."""
    last_event = CallbackEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    last_update = OutageUpdate.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last_event or 0, last_update or 0


STATUS_CHOICES = list(policy.STATUS_LABELS)
