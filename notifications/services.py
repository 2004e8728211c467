"""Every write of notifications: events fanned out to message rows, the sender that works the
outbox, receipts, opt-outs, subscriptions, the promise ledger, pause and cancel.

The message table is the outbox and the truth. Fan-out writes every row of an event in one
statement; the sender claims queued rows (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL),
marks them ``sending``, sends, and marks them ``sent``. A worker killed mid-send leaves rows in
``sending``; the sweep puts them back in the queue after a lease, and the provider's idempotency
key (the message id) keeps a re-send from reaching the customer twice.
"""

import json
import logging
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from callbacks.models import CallbackRequest
from core.audit import audit_record
from core.db import prepared_cursor
from core.errors import ServiceError
from core.tasking import send_on_commit
from outages import normalise
from outages.models import Coverage, Customer, Outage

from . import channels, compose, conf, fanout, ratelimit, rules, tasks, tokens
from .models import EtrPromise, Message, Notice, NoticeEvent, OptOut, Subscription

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def _day_start(now):
    """Midnight of ``now``'s day where the customers are: the daily cap counts from it."""
    local = now.astimezone(ZoneInfo(settings.NOTIFY_TIME_ZONE))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _sms_not_before(now):
    return rules.quiet_until(now=now, **conf.quiet_hours())


def _kick_sending():
    for _ in range(settings.NOTIFY_PARALLEL_SENDERS):
        send_on_commit(tasks.send_batch)


def _notice(*, event, key, now, outage=None, callback=None, actor=None, etr=None, promised=None):
    """The notice for this event, created once: ``(notice, created)``."""
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                event=event,
                key=key[:120],
                outage=outage,
                callback=callback,
                created_at=now,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                etr=etr,
                promised_etr=promised,
            )
    except IntegrityError:
        return Notice.objects.get(event=event, key=key[:120]), False
    return notice, True


def _fan_out(notice, *, audience, now, actor=None):
    written = fanout.insert_messages(
        notice=notice,
        audience=audience,
        now=now,
        sms_not_before=_sms_not_before(now),
        cap=settings.NOTIFY_DAILY_CAP,
        day_start=_day_start(now),
    )
    notice.recipients = written
    notice.save(update_fields=["recipients"])
    NoticeEvent.objects.create(
        notice=notice,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action="queued",
        detail=f"{written} message{'s' if written != 1 else ''} queued",
    )
    if written:
        _kick_sending()
    return written


# --- events -------------------------------------------------------------------------------------


@transaction.atomic
def outage_notify_declared(*, actor, now, outage):
    """The supervisor chose to tell the outage's customers it is declared. Once per outage."""
    outage = Outage.objects.get(pk=outage.pk)
    if not outage.is_active:
        raise ServiceError("This outage is no longer active: there is nothing to announce.")
    notice, created = _notice(
        event=rules.DECLARED,
        key=f"outage:{outage.pk}",
        now=now,
        outage=outage,
        actor=actor,
        etr=outage.etr,
    )
    if not created:
        raise ServiceError("Customers were already told about this outage.")
    audience = fanout.outage_audience(outage=outage, channels=rules.EVENT_CHANNELS[rules.DECLARED])
    _fan_out(notice, audience=audience, now=now, actor=actor)
    audit_record(
        action="notifications.declared_sent",
        actor=actor,
        subject=f"outage {outage.pk}",
        detail={"messages": notice.recipients},
        now=now,
    )
    return notice


def outage_declared_event(*, outage_id, actor_id, now):
    """The task side of "declare and notify": the same as the supervisor's button, quiet
    when the outage is gone or customers were already told."""
    outage = Outage.objects.filter(pk=outage_id).first()
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    if outage is None:
        return None
    try:
        return outage_notify_declared(actor=actor, now=now, outage=outage)
    except ServiceError:
        return None


def _apologise(*, outage, promised_etrs, now):
    """Apologies to the customers given each of ``promised_etrs``; their notices."""
    notices = []
    for promised in sorted(set(promised_etrs)):
        notice, created = _notice(
            event=rules.APOLOGY,
            key=f"outage:{outage.pk}:promise:{promised.isoformat()}",
            now=now,
            outage=outage,
            etr=outage.etr,
            promised=promised,
        )
        if created:
            audience = fanout.promise_audience(
                outage_id=outage.pk,
                promised_etr=promised,
                channels=rules.EVENT_CHANNELS[rules.APOLOGY],
            )
            _fan_out(notice, audience=audience, now=now)
        EtrPromise.objects.filter(outage=outage, etr=promised, apologised_at=None).update(
            apologised_at=now
        )
        notices.append(notice)
    return notices


def _promises_missed(outage, *, now):
    promised = EtrPromise.objects.filter(outage=outage, apologised_at=None).values_list(
        "etr", flat=True
    )
    return rules.broken_promises(
        promised=set(promised), etr=outage.etr, now=now, restored=not outage.is_active
    )


@transaction.atomic
def outage_etr_changed(*, outage_id, previous_etr, now):
    """The ETR moved. Customers given a time the outage now misses hear first, with an
    apology naming that time; then, if it moved by more than the margin, everyone else."""
    outage = Outage.objects.filter(pk=outage_id).first()
    if outage is None or not outage.is_active:
        return []
    apologies = _apologise(outage=outage, promised_etrs=_promises_missed(outage, now=now), now=now)
    if not rules.etr_moved_enough(
        previous=previous_etr, current=outage.etr, margin=settings.NOTIFY_ETR_MARGIN
    ):
        return apologies
    notice, created = _notice(
        event=rules.ETR_CHANGED,
        key=f"outage:{outage.pk}:etr:{outage.etr.isoformat()}",
        now=now,
        outage=outage,
        etr=outage.etr,
    )
    if created:
        audience = fanout.outage_audience(
            outage=outage,
            channels=rules.EVENT_CHANNELS[rules.ETR_CHANGED],
            exclude_notice_ids=[n.pk for n in apologies],
        )
        _fan_out(notice, audience=audience, now=now)
    return [*apologies, notice]


@transaction.atomic
def outage_restored(*, outage_id, now):
    """Service is back: tell the outage's customers (SMS held until morning in quiet hours)."""
    outage = Outage.objects.filter(pk=outage_id).first()
    if outage is None or not outage.is_restored:
        return None
    notice, created = _notice(
        event=rules.RESTORED,
        key=f"outage:{outage.pk}:restored:{outage.restored_at.isoformat()}",
        now=now,
        outage=outage,
    )
    if created:
        # Whatever else is still waiting about this outage is overtaken by the good news.
        Message.objects.filter(
            outage=outage,
            status=rules.QUEUED,
            notice__event__in=[rules.DECLARED, rules.ETR_CHANGED],
        ).update(status=rules.CANCELLED, error="Overtaken by the restoration message")
        audience = fanout.outage_audience(
            outage=outage, channels=rules.EVENT_CHANNELS[rules.RESTORED]
        )
        _fan_out(notice, audience=audience, now=now)
    return notice


def _callback_notice(*, callback_id, event, now):
    callback = (
        CallbackRequest.objects.select_related("customer", "outage").filter(pk=callback_id).first()
    )
    if callback is None:
        return None
    notice, created = _notice(
        event=event,
        key=f"callback:{callback.pk}",
        now=now,
        outage=callback.outage,
        callback=callback,
    )
    if created:
        audience = fanout.callback_audience(callback=callback, channels=rules.EVENT_CHANNELS[event])
        _fan_out(notice, audience=audience, now=now)
    return notice


@transaction.atomic
def callback_filed_notify(*, callback_id, now):
    """ "We will call you by <deadline>": to the caller's phone and the customer's email."""
    return _callback_notice(callback_id=callback_id, event=rules.CALLBACK_FILED, now=now)


@transaction.atomic
def callback_answered_notify(*, callback_id, now):
    """The follow-up email after an answered callback."""
    return _callback_notice(callback_id=callback_id, event=rules.CALLBACK_ANSWERED, now=now)


# --- the promise ledger -------------------------------------------------------------------------


def etr_promise_record(*, customer, outage, agent, now):
    """The live-call screen showed ``outage``'s ETR for ``customer``: remember that they were
    told it. Once per customer, outage and ETR; nothing when there is no ETR."""
    if customer is None or outage is None or outage.etr is None or not outage.is_active:
        return None
    # One statement whatever happened before, and outside a transaction (``bulk_create``
    # wraps its insert in one: a BEGIN and a COMMIT more): every lookup and every poll of a
    # live call with an ETR runs it.
    with prepared_cursor(connection) as cursor:
        cursor.execute(_promise_insert_sql(), [customer.pk, outage.pk, outage.etr, now, agent.pk])
    return outage.etr


@cache
def _promise_insert_sql():
    """Insert a promise unless the same one (customer, outage, ETR) is held: PostgreSQL and
    SQLite both take ``ON CONFLICT DO NOTHING``. Written once per process."""
    quote = connection.ops.quote_name
    meta = EtrPromise._meta
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("customer", "outage", "etr", "told_at", "told_by")
    )
    return (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT DO NOTHING"
    )


@transaction.atomic
def promises_sweep(*, now):
    """Apologise for every promised time an open outage has passed (the sweep)."""
    outage_ids = (
        EtrPromise.objects.filter(apologised_at=None, etr__lt=now)
        .values_list("outage_id", flat=True)
        .distinct()
    )
    notices = []
    for outage in Outage.objects.active().filter(pk__in=list(outage_ids)):
        notices += _apologise(
            outage=outage, promised_etrs=_promises_missed(outage, now=now), now=now
        )
    return notices


# --- opt-outs and subscriptions -----------------------------------------------------------------


@transaction.atomic
def optout_record(*, channel, address, source, now, customer_id=None):
    """``address`` wants no more messages on ``channel``. Queued messages to it are marked
    opted out at once. Idempotent."""
    if channel not in rules.CHANNELS or not address:
        raise ServiceError("That opt-out link is not valid.")
    OptOut.objects.get_or_create(
        channel=channel,
        address=address,
        defaults={"source": source, "at": now, "customer_id": customer_id},
    )
    Subscription.objects.filter(channel=channel, address=address).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    ).update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=now)
    return Message.objects.filter(channel=channel, address=address, status=rules.QUEUED).update(
        status=rules.OPTED_OUT
    )


@transaction.atomic
def optin_record(*, channel, address):
    """An SMS START: messages may go to ``address`` again."""
    return OptOut.objects.filter(channel=channel, address=address).delete()[0]


def _clean_address(channel, address):
    address = (address or "").strip()
    if channel == rules.SMS:
        try:
            return normalise.phone_e164(address, region=settings.DEFAULT_PHONE_REGION)
        except normalise.InvalidPhone as exc:
            raise ServiceError(f"That phone number is not valid: {exc}", field="address") from exc
    if channel == rules.EMAIL:
        address = address.lower()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise ServiceError("That email address is not valid.", field="address") from exc
        return address
    raise ServiceError("Choose SMS or email.", field="channel")


@transaction.atomic
def subscription_request(*, postal_code, channel, address, now):
    """Someone asks to hear about outages at ``postal_code`` by ``channel`` ("sms" or
    "email") at ``address``. Pending until they confirm from the message this sends (double
    opt-in). Asking again re-sends the confirmation. Raises ``ServiceError`` (with ``field``
    "postal_code", "channel" or "address") for input it cannot use. Returns the subscription.

    Stable for the public status page: keyword-only, these four arguments."""
    code = normalise.postal_code(postal_code or "")
    coverage = Coverage.objects.filter(postal_code=code).first()
    if coverage is None:
        raise ServiceError("We do not serve that postal code.", field="postal_code")
    address = _clean_address(channel, address)
    subscription, created = Subscription.objects.get_or_create(
        postal_code=code,
        channel=channel,
        address=address,
        defaults={"area_id": coverage.area_id, "created_at": now},
    )
    if not created and subscription.status != Subscription.Status.CONFIRMED:
        subscription.status = Subscription.Status.PENDING
        subscription.save(update_fields=["status"])
    if subscription.status == Subscription.Status.PENDING:
        send_on_commit(tasks.send_confirmation, subscription.pk)
    return subscription


@transaction.atomic
def subscription_confirm(*, token, now):
    """The link in the confirmation message was followed: the subscription starts."""
    try:
        pk = tokens.confirm_read(token, max_age=settings.NOTIFY_CONFIRM_MAX_AGE)
    except Exception as exc:  # noqa: BLE001 - bad or expired signature
        raise ServiceError("This confirmation link is not valid or has expired.") from exc
    subscription = Subscription.objects.select_for_update().filter(pk=pk).first()
    if subscription is None:
        raise ServiceError("This subscription no longer exists.")
    if subscription.status != Subscription.Status.CONFIRMED:
        subscription.status = Subscription.Status.CONFIRMED
        subscription.confirmed_at = now
        subscription.save(update_fields=["status", "confirmed_at"])
        OptOut.objects.filter(channel=subscription.channel, address=subscription.address).delete()
    return subscription


def subscription_send_confirmation(*, subscription_id, now):
    """Send the confirmation message (not through the outbox: it is one message, asked for
    by the person reading the page, and a retry re-sends the same link)."""
    subscription = Subscription.objects.select_related("area").filter(pk=subscription_id).first()
    if subscription is None or subscription.status != Subscription.Status.PENDING:
        return None
    link = conf.public_url(
        reverse("notifications:confirm", args=[tokens.confirm_token(subscription.pk)])
    )
    brand = settings.BRAND_NAME
    if subscription.channel == rules.SMS:
        body = rules.sms_text(
            f"{brand}: confirm outage alerts for {subscription.postal_code}: {link}"
        )
        return channels.sms_provider().send(
            idempotency_key=f"confirm-{subscription.pk}-{now:%Y%m%d%H}",
            to=subscription.address,
            body=body,
            status_callback="",
        )
    sender = channels.EmailSender()
    try:
        return sender.send(
            message_id=f"confirm-{subscription.pk}",
            to=subscription.address,
            subject=f"{brand}: confirm outage alerts for {subscription.postal_code}",
            body=(
                f"Someone (we hope you) asked {brand} to email {subscription.address} about "
                f"outages at {subscription.postal_code} ({subscription.area.name}).\n\n"
                f"Confirm here: {link}\n\nIf it was not you, ignore this email: nothing "
                f"will be sent.\n"
            ),
            unsubscribe_url=compose.unsubscribe_url(
                channel=rules.EMAIL, address=subscription.address
            ),
        )
    finally:
        sender.close()


# --- pause, resume, cancel ----------------------------------------------------------------------


def _set_notice_status(*, actor, now, notice, status, allowed_from, action):
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status not in allowed_from:
        raise ServiceError(f"This send is {notice.get_status_display().lower()}.")
    notice.status = status
    notice.status_changed_at = now
    notice.status_changed_by = actor
    notice.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    NoticeEvent.objects.create(notice=notice, at=now, actor=actor, action=action)
    audit_record(action=f"notifications.{action}", actor=actor, subject=str(notice), now=now)
    return notice


@transaction.atomic
def notice_pause(*, actor, now, notice):
    return _set_notice_status(
        actor=actor,
        now=now,
        notice=notice,
        status=Notice.Status.PAUSED,
        allowed_from={Notice.Status.ACTIVE},
        action="paused",
    )


@transaction.atomic
def notice_resume(*, actor, now, notice):
    notice = _set_notice_status(
        actor=actor,
        now=now,
        notice=notice,
        status=Notice.Status.ACTIVE,
        allowed_from={Notice.Status.PAUSED},
        action="resumed",
    )
    _kick_sending()
    return notice


@transaction.atomic
def notice_cancel(*, actor, now, notice):
    """Stop a send: what is still queued is cancelled (what was sent stays sent)."""
    notice = _set_notice_status(
        actor=actor,
        now=now,
        notice=notice,
        status=Notice.Status.CANCELLED,
        allowed_from={Notice.Status.ACTIVE, Notice.Status.PAUSED},
        action="cancelled",
    )
    notice.cancelled_count = Message.objects.filter(notice=notice, status=rules.QUEUED).update(
        status=rules.CANCELLED, error="Cancelled by a supervisor"
    )
    return notice


# --- the sender ---------------------------------------------------------------------------------


def _claim_sql(limit):
    table = Message._meta.db_table
    notice = Notice._meta.db_table
    pick = (
        f"SELECT m2.id FROM {table} m2 JOIN {notice} n ON n.id = m2.notice_id"
        f" WHERE m2.status = 'queued' AND m2.not_before <= %s AND n.status = 'active'"
        f" ORDER BY m2.priority, m2.id LIMIT {int(limit)}"
    )
    if connection.vendor == "postgresql":
        # Materialised once: an IN (subquery ... LIMIT ... SKIP LOCKED) may be re-run by the
        # planner and claim more (and other) rows than the limit.
        return (
            f"WITH picked AS MATERIALIZED ({pick} FOR UPDATE OF m2 SKIP LOCKED)"
            f" UPDATE {table} SET status = 'sending', claimed_at = %s,"
            f" attempts = attempts + 1 FROM picked WHERE {table}.id = picked.id"
            f" RETURNING {table}.id",
            True,
        )
    return (
        f"UPDATE {table} SET status = 'sending', claimed_at = %s, attempts = attempts + 1"
        f" WHERE status = 'queued' AND id IN ({pick}) RETURNING id",
        False,
    )


@transaction.atomic
def messages_claim(*, now, limit):
    """Take up to ``limit`` due messages for this worker; their ids. Concurrent workers get
    disjoint batches (PostgreSQL skips the rows another worker has locked; SQLite writes one
    at a time)."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    sql, _ = _claim_sql(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamp, stamp])
        return sorted(row[0] for row in cursor.fetchall())


def _batch_context(ids, *, now):
    rows = list(
        Message.objects.filter(pk__in=ids, status=rules.SENDING).values(
            "pk",
            "notice_id",
            "channel",
            "address",
            "customer_id",
            "customer__name",
            "customer__language",
            "customer__area__name",
            "subscription__area__name",
            "attempts",
        )
    )
    notice_ids = {row["notice_id"] for row in rows}
    notices = {
        n.pk: n
        for n in Notice.objects.select_related("outage", "callback").filter(pk__in=notice_ids)
    }
    opted = set(
        OptOut.objects.filter(address__in={row["address"] for row in rows}).values_list(
            "channel", "address"
        )
    )
    contexts = {}
    for notice in notices.values():
        values = compose.base_values(
            now=now, notice=notice, outage=notice.outage, callback=notice.callback
        )
        scripts = compose.scripts_for(event=notice.event, outage=notice.outage)
        contexts[notice.pk] = (notice, values, scripts)
    return rows, contexts, opted


_FINISH_COLUMNS = (
    "status",
    "sent_at",
    "provider_id",
    "error",
    "subject",
    "body",
    "segments",
    "script_version",
    "not_before",
)


class _Outcome:
    """What the sender writes back for one message: a plain object, not a model instance
    (a send makes thousands a second)."""

    __slots__ = ("pk", *_FINISH_COLUMNS)

    def __init__(self, pk):
        self.pk = pk
        self.not_before = None


# One statement for a whole batch of outcomes: the rows' new values as one JSON document
# (encoded in C; array parameters would be adapted value by value in Python).
_FINISH_TYPES = {
    "status": "varchar",
    "sent_at": "timestamptz",
    "provider_id": "varchar",
    "error": "varchar",
    "subject": "varchar",
    "body": "text",
    "segments": "integer",
    "script_version": "integer",
    "not_before": "timestamptz",
}


def _finish(updates):
    """Write the outcome of sent messages: one statement on PostgreSQL (one per message,
    pipelined, elsewhere)."""
    if not updates:
        return
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(f"{name} {_FINISH_TYPES[name]}" for name in _FINISH_COLUMNS)
            assignments = ", ".join(f"{name} = v.{name}" for name in _FINISH_COLUMNS)
            rows = [[m.pk, *(getattr(m, name) for name in _FINISH_COLUMNS)] for m in updates]
            keys = ("id", *_FINISH_COLUMNS)
            document = json.dumps(
                [dict(zip(keys, row, strict=True)) for row in rows], default=datetime.isoformat
            )
            cursor.execute(
                f"UPDATE {table} AS m SET {assignments}"
                f" FROM json_to_recordset(%s::json) AS v(id bigint, {columns})"
                " WHERE m.id = v.id",
                [document],
            )
        else:
            adapt = connection.ops.adapt_datetimefield_value
            assignments = ", ".join(f"{name} = %s" for name in _FINISH_COLUMNS)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",
                [
                    [
                        adapt(value) if name in ("sent_at", "not_before") else value
                        for name, value in ((n, getattr(m, n)) for n in _FINISH_COLUMNS)
                    ]
                    + [m.pk]
                    for m in updates
                ],
            )
    updates.clear()


CHECK_EVERY = 100  # messages between looks at pause and cancel


def _release_halted(pending, halted):
    """Rows of paused or cancelled sends go back to queued (or to cancelled)."""
    for notice_id, status in halted.items():
        back = rules.CANCELLED if status == Notice.Status.CANCELLED else rules.QUEUED
        Message.objects.filter(
            pk__in=[r["pk"] for r in pending if r["notice_id"] == notice_id],
            status=rules.SENDING,
        ).update(status=back)
    return [r for r in pending if r["notice_id"] not in halted]


def _send_sms(pending, *, executor, status_callback, updates):
    """Send the SMS of ``pending`` (rows with their words), ``NOTIFY_SMS_CONCURRENCY`` in
    flight at once, as fast as the shared rate limit grants, and note each outcome. Grants
    are taken for free places only, so a granted request starts at once."""
    provider = channels.sms_provider()
    margin = settings.NOTIFY_RATE_MARGIN_MS / 1000
    in_flight = settings.NOTIFY_SMS_CONCURRENCY

    def one(item, granted_at):
        row, _, composed, _ = item
        if time.monotonic() - granted_at > margin:
            # Held up since its grant: it could reach the provider in a later window than the
            # one it was counted in. Count it now instead.
            ratelimit.take(rules.SMS, 1)
        return provider.send(
            idempotency_key=f"message-{row['pk']}",
            to=row["address"],
            body=composed.body,
            status_callback=status_callback,
        )

    futures, running, start = [], set(), 0
    while start < len(pending):
        free = in_flight - len(running)
        if free < max(1, in_flight // 2) and running:
            # Wait for places to come free, then take their grants in one call.
            _, running = wait(running, return_when=FIRST_COMPLETED)
            continue
        granted = ratelimit.take(rules.SMS, min(free, len(pending) - start))
        granted_at = time.monotonic()
        for item in pending[start : start + granted]:
            future = executor.submit(one, item, granted_at)
            futures.append(future)
            running.add(future)
        start += granted
    for (row, message, composed, at), future in zip(pending, futures, strict=True):
        updates.append(
            _outcome(message, future.result(), composed, attempts=row["attempts"], now=at)
        )
    pending.clear()


def messages_send_batch(*, now, limit=None, clock=timezone.now):
    """Claim one batch and send it; how many were claimed. ``clock`` gives the time as the
    batch goes (a batch takes seconds). SMS go ``NOTIFY_SMS_CONCURRENCY`` at a time; emails
    one by one, each recorded at once (SMTP has no idempotency key). Enqueues the next batch
    when this one was full."""
    limit = limit or settings.NOTIFY_BATCH_SIZE
    ids = messages_claim(now=now, limit=limit)
    if not ids:
        return 0
    rows, contexts, opted = _batch_context(ids, now=now)
    quiet = conf.quiet_hours()
    email = None
    updates, pending_sms = [], []
    status_callback = conf.public_url(reverse("notifications:sms_status"))
    executor = ThreadPoolExecutor(max_workers=settings.NOTIFY_SMS_CONCURRENCY)
    position, next_check = 0, CHECK_EVERY

    def flush():
        _send_sms(pending_sms, executor=executor, status_callback=status_callback, updates=updates)
        _finish(updates)

    try:
        while position < len(rows):
            if position >= next_check:
                next_check += CHECK_EVERY
                flush()
                released = _without_halted(rows, position, contexts)
                if released is not None:
                    rows = released
                    continue
            row = rows[position]
            position += 1
            message = _Outcome(row["pk"])
            notice, values, scripts = contexts[row["notice_id"]]
            channel = row["channel"]
            moment_now = clock()
            message.not_before = moment_now
            held_back = _held_back(message, row, opted=opted, quiet=quiet, now=moment_now)
            if held_back is not None:
                updates.append(held_back)
                continue
            composed = _compose(row, scripts=scripts, values=values)
            if channel == rules.SMS:
                pending_sms.append((row, message, composed, moment_now))
                continue
            email = email or channels.EmailSender()
            updates.append(_send_email(email, row, message, composed, now=moment_now))
            _finish(updates)
        flush()
    finally:
        _finish(updates)
        executor.shutdown(wait=True)
        if email is not None:
            email.close()
    if len(ids) >= limit:
        send_on_commit(tasks.send_batch)
    return len(ids)


def _without_halted(rows, position, contexts):
    """The batch's rows with those of paused or cancelled notices handed back, or ``None``
    while every notice of the batch is still active."""
    halted = dict(
        Notice.objects.filter(pk__in=list(contexts))
        .exclude(status=Notice.Status.ACTIVE)
        .values_list("pk", "status")
    )
    if not halted:
        return None
    return rows[:position] + _release_halted(rows[position:], halted)


def _held_back(message, row, *, opted, quiet, now):
    """The outcome of a message that is not sent now (its address opted out of the channel,
    or an SMS in quiet hours), else ``None``."""
    channel = row["channel"]
    if (channel, row["address"]) in opted:
        return _fill(message, status=rules.OPTED_OUT)
    if channel == rules.SMS and rules.in_quiet_hours(now=now, **quiet):
        message.not_before = rules.quiet_until(now=now, **quiet)
        return _fill(message, status=rules.QUEUED)
    return None


def _compose(row, *, scripts, values):
    channel = row["channel"]
    return compose.compose(
        choice=scripts.get(channel),
        channel=channel,
        values=values,
        name=row["customer__name"],
        address=row["address"],
        customer_id=row["customer_id"],
        area=row["customer__area__name"] or row["subscription__area__name"],
    )


def _send_email(email, row, message, composed, *, now):
    """One email, sent at once and its outcome returned (SMTP has no idempotency key)."""
    channel = row["channel"]
    ratelimit.take(channel, 1)
    result = email.send(
        message_id=row["pk"],
        to=row["address"],
        subject=composed.subject,
        body=composed.body,
        unsubscribe_url=compose.unsubscribe_url(
            channel=channel, address=row["address"], customer_id=row["customer_id"]
        ),
    )
    return _outcome(message, result, composed, attempts=row["attempts"], now=now)


def _fill(message, *, status, **fields):
    message.status = status
    message.sent_at = fields.get("sent_at")
    message.provider_id = fields.get("provider_id", "")
    message.error = fields.get("error", "")
    message.subject = fields.get("subject", "")
    message.body = fields.get("body", "")
    message.segments = fields.get("segments", 0)
    message.script_version = fields.get("script_version")
    return message


def _outcome(message, result, composed, *, attempts, now):
    words = {
        "subject": composed.subject,
        "body": composed.body,
        "segments": composed.segments,
        "script_version": composed.version,
    }
    if result.outcome == channels.ACCEPTED:
        return _fill(
            message, status=rules.SENT, sent_at=now, provider_id=result.provider_id, **words
        )
    if result.outcome == channels.RETRY and attempts < MAX_ATTEMPTS:
        message.not_before = now + timedelta(seconds=30 * 2**attempts)
        return _fill(message, status=rules.QUEUED, error=result.error, **words)
    return _fill(message, status=rules.FAILED, error=result.error, **words)


@transaction.atomic
def messages_requeue_stale(*, now, lease=None):
    """Messages a worker claimed and never finished (it died): back in the queue. Safe: a
    re-send carries the same idempotency key."""
    lease = settings.NOTIFY_CLAIM_LEASE if lease is None else lease
    return Message.objects.filter(status=rules.SENDING, claimed_at__lte=now - lease).update(
        status=rules.QUEUED
    )


def notifications_sweep(*, now):
    """Every minute: stale claims back in the queue, missed promises apologised for, and the
    sender woken when messages are due (quiet hours over, retries due)."""
    requeued = messages_requeue_stale(now=now)
    apologies = promises_sweep(now=now)
    due = (
        Message.objects.filter(status=rules.QUEUED, not_before__lte=now)
        .filter(notice__status=Notice.Status.ACTIVE)
        .exists()
    )
    if due:
        with transaction.atomic():
            _kick_sending()
    return {"requeued": requeued, "apologies": len(apologies), "due": due}


# --- personal data -----------------------------------------------------------------------------


def customer_erase_messages(*, customer_id, phone, now):
    """A customer's personal data is erased on request (inside the erasing transaction): their
    email leaves the directory, their messages and promises go, subscriptions at their phone
    or email end. Opt-outs stay (unlinked from the customer): erasure must not make us start
    texting a number that said STOP. Returns counts for the audit row."""
    customer = Customer.objects.filter(pk=customer_id).values("email").first() or {}
    email = customer.get("email", "")
    addresses = [a for a in (phone, email) if a]
    messages = Message.objects.filter(customer_id=customer_id)
    if addresses:
        messages = messages | Message.objects.filter(address__in=addresses)
    counts = {
        "messages": messages.delete()[0],
        "etr_promises": EtrPromise.objects.filter(customer_id=customer_id).delete()[0],
        "subscriptions": Subscription.objects.filter(address__in=addresses).delete()[0],
    }
    OptOut.objects.filter(customer_id=customer_id).update(customer=None)
    if email:
        Customer.objects.filter(pk=customer_id).update(email="")
    del now
    return counts


REMOVED_ADDRESS_PREFIX = "removed:"


@transaction.atomic
def messages_anonymise_before(*, cutoff, now):
    """Retention: messages written before ``cutoff`` and no longer waiting to be sent lose
    their address, subject, body and error (the rows stay, so reports count the same). The
    address becomes ``removed:<id>`` (one message per event, channel and address is a unique
    constraint). Safe to run again: what was removed is not counted twice."""
    old = (
        Message.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=(rules.QUEUED, rules.SENDING))
        .exclude(address__startswith=REMOVED_ADDRESS_PREFIX)
    )
    removed = old.update(
        address=Concat(Value(REMOVED_ADDRESS_PREFIX), Cast("id", CharField())),
        subject="",
        body="",
        error="",
    )
    del now
    return {"messages": removed}


# --- receipts and inbound SMS -------------------------------------------------------------------


@transaction.atomic
def receipt_record(*, provider_id, reported, error_code="", now):
    """A delivery receipt from the provider: the message moves on (never backwards)."""
    message = Message.objects.select_for_update().filter(provider_id=provider_id).first()
    if message is None:
        return None
    status = rules.status_after_receipt(message.status, reported)
    if status == message.status:
        return message
    message.status = status
    fields = ["status"]
    if status == rules.DELIVERED:
        message.delivered_at = now
        fields.append("delivered_at")
    if status == rules.FAILED:
        message.error = f"provider reported {reported} {error_code}".strip()[:300]
        fields.append("error")
    message.save(update_fields=fields)
    return message


def inbound_sms_record(*, sender, body, now):
    """An SMS from a customer: STOP opts the number out, START back in. Returns the intent."""
    intent = rules.inbound_intent(body)
    if intent == "stop":
        optout_record(channel=rules.SMS, address=sender, source="sms_stop", now=now)
    elif intent == "start":
        optin_record(channel=rules.SMS, address=sender)
    return intent
