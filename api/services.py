"""Every write of the integrations: API keys, idempotent requests, callbacks the IVR files,
webhook subscriptions and the webhook outbox (collect, then deliver with retries)."""

import hashlib
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q

from callbacks import policy
from callbacks import services as callback_services
from callbacks.models import CallbackEvent
from core.audit import audit_record
from core.cache import ProcessMemo
from core.errors import ServiceError
from outages import normalise
from outages.models import Outage, OutageUpdate

from . import keys, selectors, wording
from .models import ApiKey, IdempotentRequest, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

KEY_CACHE_SECONDS = 60
# Each web process also keeps a key it checked for this long, so a storm of IVR calls costs
# no cache round trip for the key: a revoked key is refused at once by the process that
# revoked it and within this many seconds by every other.
KEY_MEMO_SECONDS = 5
LAST_USED_EVERY = timedelta(minutes=1)
_known_keys = ProcessMemo(seconds=KEY_MEMO_SECONDS)


def _key_cache_name(prefix):
    return f"api:key:{prefix}"


# --- API keys -------------------------------------------------------------------------------


@transaction.atomic
def api_key_create(*, actor, now, name, scopes):
    """A key for one integration. Returns ``(api_key, key)``: the key itself is shown once
    and never stored. The integration gets its own inactive account, so what it files says
    who filed it."""
    name = name.strip()
    if not name:
        raise ServiceError("Name the integration.", field="name")
    if ApiKey.objects.filter(name__iexact=name).exists():
        raise ServiceError("An integration of that name already has a key.", field="name")
    unknown = set(scopes) - set(keys.SCOPES)
    if not scopes or unknown:
        raise ServiceError("Pick at least one scope.", field="scopes")
    key, prefix = keys.generate_key()
    user = get_user_model().objects.create(
        username=f"api-{prefix}",
        first_name=f"Integration: {name}"[:150],
        is_active=False,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    api_key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        digest=keys.digest(key),
        scopes=sorted(scopes),
        user=user,
        created_by=actor,
        created_at=now,
    )
    audit_record(
        action="api_key.created", actor=actor, subject=api_key, detail={"scopes": api_key.scopes}
    )
    return api_key, key


@transaction.atomic
def api_key_revoke(*, actor, now, api_key):
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is not None:
        raise ServiceError("This key is already revoked.")
    api_key.revoked_at = now
    api_key.revoked_by = actor
    api_key.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(action="api_key.revoked", actor=actor, subject=api_key)
    # Forget the cached key now and again after the commit (a request may re-cache it meanwhile).
    _forget_key(api_key.prefix)
    transaction.on_commit(lambda: _forget_key(api_key.prefix))
    return api_key


def _forget_key(prefix):
    _known_keys.discard(prefix)
    cache.delete(_key_cache_name(prefix))


def api_key_authenticate(*, key, now):
    """The active key that ``key`` is, or None. Cached briefly by prefix, in the process and
    in the shared cache (a revocation clears both; see ``KEY_MEMO_SECONDS``); records the time
    of use at most once a minute. The digest is a single SHA-256 (about a microsecond)."""
    prefix = keys.key_prefix(key)
    if prefix is None:
        return None
    name = _key_cache_name(prefix)
    api_key = _known_keys.get(prefix)
    if api_key is None:
        api_key = cache.get(name)
        if api_key is None:
            api_key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
            if api_key is None:
                return None
            cache.set(name, api_key, KEY_CACHE_SECONDS)
        _known_keys.set(prefix, api_key)
    if api_key.revoked_at is not None or not keys.matches(key, api_key.digest):
        return None
    if _last_use_due(api_key, now):
        ApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
        api_key.last_used_at = now
        cache.set(name, api_key, KEY_CACHE_SECONDS)
    return api_key


def api_key_remembered(*, key, now):
    """The active key that ``key`` is, when this process checked it within
    ``KEY_MEMO_SECONDS`` and its time of use needs no writing; otherwise None, and
    ``api_key_authenticate`` decides. No I/O: the events process asks this on its event loop."""
    prefix = keys.key_prefix(key)
    api_key = _known_keys.get(prefix) if prefix else None
    if api_key is None or _last_use_due(api_key, now):
        return None
    if api_key.revoked_at is not None or not keys.matches(key, api_key.digest):
        return None
    return api_key


def _last_use_due(api_key, now):
    return api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_EVERY


# --- idempotent requests --------------------------------------------------------------------


class IdempotencyConflict(ServiceError):
    pass


def fingerprint(body):
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@transaction.atomic
def idempotent_call(*, api_key, key, endpoint, body, now, produce):
    """Run ``produce() -> (status_code, response)`` once per ``(api_key, key)``: a retry gets
    the first answer again (``replayed=True``). A placeholder row is written first, so a
    concurrent retry waits on it (the unique constraint) and then replays. Returns
    ``(status_code, response, replayed)``."""
    print_ = fingerprint(body)
    existing = IdempotentRequest.objects.filter(api_key=api_key, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    api_key=api_key,
                    key=key,
                    endpoint=endpoint,
                    fingerprint=print_,
                    status_code=0,
                    response={},
                    created_at=now,
                )
        except IntegrityError:
            existing = IdempotentRequest.objects.get(api_key=api_key, key=key)
    if existing is not None:
        if existing.endpoint != endpoint or existing.fingerprint != print_:
            raise IdempotencyConflict(
                "This Idempotency-Key was used with a different request; use a new key."
            )
        return existing.status_code, existing.response, True
    status_code, response = produce()
    record.status_code = status_code
    record.response = json.loads(json.dumps(response, cls=DjangoJSONEncoder))
    record.save(update_fields=["status_code", "response"])
    return status_code, record.response, False


def idempotent_requests_prune(*, now, keep=timedelta(days=1)):
    return IdempotentRequest.objects.filter(created_at__lt=now - keep).delete()[0]


# --- the IVR files a callback ---------------------------------------------------------------


class CallbacksNotOffered(ServiceError):
    pass


def ivr_callback_request(
    *, api_key, now, ani, callback_number="", account_number="", postal_code="", reason="", name=""
):
    """File the callback a caller asked the IVR for, by the live-call rules (one open
    callback per phone per outage; the deadline follows restoration). Refused when the
    outage's IVR switch does not offer callbacks. Returns a dict for the API answer."""
    caller = selectors.caller_identify(
        ani=ani, account_number=account_number, postal_code=postal_code
    )
    phone = caller.phone
    if callback_number:
        phone = normalise.phone_e164(callback_number, region=settings.DEFAULT_PHONE_REGION)
    if not phone:
        raise ServiceError("Give the caller's number (ani) or a callback number.", field="ani")
    status = selectors.area_status(caller.area, now=now)
    outage = None
    if status.outage_id is not None:
        if not status.offers_callbacks:
            raise CallbacksNotOffered(wording.no_callbacks_offered())
        outage = Outage.objects.get(pk=status.outage_id)
    customer = caller.customer
    filing = callback_services.callback_file(
        actor=api_key.user,
        now=now,
        outage=outage,
        customer=customer,
        name=(name or (customer.name if customer else "") or "Caller from the IVR")[:200],
        phone=phone,
        account_number=account_number if not customer else "",
        call_reason=(reason or "Asked the IVR for a call back")[:200],
        channel=policy.IVR_CHANNEL,
    )
    return _filing_answer(filing, phone=phone, now=now)


def api_callback_request(
    *, api_key, now, name, phone, reason, account_number="", postal_code="", outage_id=None
):
    """A callback filed by another system (channel ``api``), by the same rules: against the
    outage named, or else the one covering the customer's area (account number, phone or
    postal code); none: due from filing."""
    phone = normalise.phone_e164(phone, region=settings.DEFAULT_PHONE_REGION)
    caller = selectors.caller_identify(
        ani=phone, account_number=account_number, postal_code=postal_code
    )
    if outage_id is not None:
        outage = Outage.objects.current().filter(pk=outage_id).first()
        if outage is None:
            raise ServiceError("No such outage, or it is closed.", field="outage_id")
    else:
        status = selectors.area_status(caller.area, now=now)
        outage = Outage.objects.get(pk=status.outage_id) if status.outage_id else None
    filing = callback_services.callback_file(
        actor=api_key.user,
        now=now,
        outage=outage,
        customer=caller.customer,
        name=name,
        phone=phone,
        account_number=account_number if not caller.customer else "",
        call_reason=reason,
        channel=policy.API_CHANNEL,
    )
    return _filing_answer(filing, phone=phone, now=now)


def _filing_answer(filing, *, phone, now):
    callback = filing.callback
    expected = wording.expected_callback(
        due_at=selectors._local(callback.due_at),
        now=selectors._local(now),
        target=settings.CALLBACK_TARGET,
    )
    return {
        "callback_id": callback.pk,
        "status": callback.status,
        "merged": filing.merged,
        "outage_id": callback.outage_id,
        "expected_by": callback.due_at,
        "expected_in_words": expected,
        "confirmation": wording.confirmation(merged=filing.merged, phone=phone, expected=expected),
    }


# --- webhooks -------------------------------------------------------------------------------


@transaction.atomic
def webhook_subscribe(*, actor, now, name, url, topics):
    """A subscription starts at the end of the timelines: it hears what happens from now on.
    Returns ``(subscription, secret)``."""
    if not topics or set(topics) - set(WebhookSubscription.TOPIC_LABELS):
        raise ServiceError("Pick what to send: callbacks, outages or both.", field="topics")
    secret = keys.generate_secret()
    last_event, last_update = selectors.latest_ids()
    subscription = WebhookSubscription.objects.create(
        name=name.strip(),
        url=url,
        secret=secret,
        topics=sorted(topics),
        created_by=actor,
        created_at=now,
        callback_event_cursor=last_event,
        outage_update_cursor=last_update,
    )
    audit_record(action="webhook.subscribed", actor=actor, subject=subscription)
    return subscription, secret


@transaction.atomic
def webhook_set_active(*, actor, now, subscription, active):
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    subscription.active = active
    subscription.save(update_fields=["active"])
    audit_record(
        action="webhook.enabled" if active else "webhook.disabled",
        actor=actor,
        subject=subscription,
    )
    return subscription


def _callback_payload(event):
    callback = event.callback
    kind = "callback.filed" if not event.from_status else "callback.changed"
    return (
        kind,
        f"callback:{callback.pk}",
        {
            "event": kind,
            "occurred_at": event.at,
            "callback": {
                "id": callback.pk,
                "outage_id": callback.outage_id,
                "account_number": callback.account_number,
                "channel": callback.channel,
                "status": callback.status,
                "due_at": callback.due_at,
            },
            "change": {
                "from_status": event.from_status,
                "to_status": event.to_status,
                "reason": event.reason,
            },
        },
    )


def _outage_payload(update):
    outage = update.outage
    return (
        "outage.changed",
        f"outage:{outage.pk}",
        {
            "event": "outage.changed",
            "occurred_at": update.at,
            "outage": {
                "id": outage.pk,
                "title": outage.title,
                "kind": outage.kind,
                "status": outage.status,
                "etr": outage.etr,
                "restored_at": outage.restored_at,
            },
            "update": {
                "status": update.status,
                "etr": update.etr,
                "message": update.message if update.public else "",
            },
        },
    )


COLLECT_BATCH = 500


@transaction.atomic
def webhooks_collect(*, now):
    """Copy what happened since each subscription's cursors into its outbox: one delivery
    row per timeline row, in timeline order. Safe to run twice or concurrently (rows are
    locked, deliveries unique). Returns how many deliveries it wrote."""
    written = 0
    subscriptions = WebhookSubscription.objects.select_for_update(skip_locked=True).filter(
        active=True
    )
    for subscription in subscriptions:
        rows = []
        if WebhookSubscription.CALLBACKS in subscription.topics:
            events = list(
                CallbackEvent.objects.filter(pk__gt=subscription.callback_event_cursor)
                .select_related("callback")
                .order_by("pk")[:COLLECT_BATCH]
            )
            for event in events:
                rows.append((event.pk, *_callback_payload(event)))
            if events:
                subscription.callback_event_cursor = events[-1].pk
        if WebhookSubscription.OUTAGES in subscription.topics:
            updates = list(
                OutageUpdate.objects.filter(pk__gt=subscription.outage_update_cursor)
                .select_related("outage")
                .order_by("pk")[:COLLECT_BATCH]
            )
            for update in updates:
                rows.append((update.pk, *_outage_payload(update)))
            if updates:
                subscription.outage_update_cursor = updates[-1].pk
        if not rows:
            continue
        deliveries = [
            WebhookDelivery(
                subscription=subscription,
                event=kind,
                subject=subject,
                source_id=source_id,
                payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
                next_attempt_at=now,
                created_at=now,
            )
            for source_id, kind, subject, payload in rows
        ]
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        subscription.save(update_fields=["callback_event_cursor", "outage_update_cursor"])
        written += len(deliveries)
    return written


def http_post(url, *, body, headers, timeout=5):
    """POST ``body``; returns the status code (raises ``OSError`` when nothing answered)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


DELIVER_BATCH = 100


def webhooks_deliver_due(*, now, post=http_post):
    """Send the due deliveries, oldest first. Per subject (one callback, one outage) strictly
    in order: a delivery waits while an earlier one of its subject is still pending. A failed
    send is retried with a growing wait; after ``keys.MAX_ATTEMPTS`` it is given up (and the
    next of its subject may go). Returns ``{"delivered": n, "failed": n}``."""
    counts = {"delivered": 0, "failed": 0}
    for _ in range(DELIVER_BATCH):
        with transaction.atomic():
            delivery = (
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .select_related("subscription")
                .filter(status=WebhookDelivery.PENDING, next_attempt_at__lte=now)
                .filter(subscription__active=True)
                .order_by("pk")
                .first()
            )
            if delivery is None:
                break
            earlier = WebhookDelivery.objects.filter(
                subscription_id=delivery.subscription_id,
                subject=delivery.subject,
                status=WebhookDelivery.PENDING,
                pk__lt=delivery.pk,
            ).exists()
            if earlier:
                # Its turn comes after the earlier one: look again when that one is due.
                blocker = (
                    WebhookDelivery.objects.filter(
                        subscription_id=delivery.subscription_id,
                        subject=delivery.subject,
                        status=WebhookDelivery.PENDING,
                        pk__lt=delivery.pk,
                    )
                    .order_by("pk")
                    .first()
                )
                delivery.next_attempt_at = max(blocker.next_attempt_at, now) + timedelta(seconds=1)
                delivery.save(update_fields=["next_attempt_at"])
                continue
            _attempt(delivery, now=now, post=post, counts=counts)
    return counts


def _attempt(delivery, *, now, post, counts):
    body = json.dumps(
        {"id": delivery.pk, **delivery.payload}, cls=DjangoJSONEncoder, sort_keys=True
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "outage-console-webhooks/1",
        keys.EVENT_HEADER: delivery.event,
        keys.DELIVERY_HEADER: str(delivery.pk),
        keys.SIGNATURE_HEADER: keys.sign(
            secret=delivery.subscription.secret, timestamp=int(now.timestamp()), body=body
        ),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = now
    try:
        code = post(delivery.subscription.url, body=body, headers=headers)
        error = "" if 200 <= code < 300 else f"HTTP {code}"
    except OSError as exc:
        code, error = None, str(exc)[:300] or exc.__class__.__name__
    delivery.last_status_code = code
    delivery.last_error = error
    if not error:
        delivery.status = WebhookDelivery.DELIVERED
        delivery.delivered_at = now
        counts["delivered"] += 1
    elif delivery.attempts >= keys.MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.FAILED
        counts["failed"] += 1
    else:
        delivery.next_attempt_at = now + keys.retry_delay(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
