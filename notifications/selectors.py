"""Reads of notifications shared by the pages and the sender."""

from django.db.models import Count, Q

from core.precompiled import Precompiled, stand_in_id, stand_in_text
from outages.models import Customer

from . import fanout, rules
from .models import Message, Notice

PROGRESS_STATUSES = (
    rules.QUEUED,
    rules.SENT,
    rules.DELIVERED,
    rules.FAILED,
    rules.OPTED_OUT,
    rules.CANCELLED,
)


def _counts(messages):
    """``{(notice_id, channel): {status: n}}`` in one query."""
    found = {}
    rows = messages.values("notice_id", "channel", "status").annotate(n=Count("id"))
    for row in rows:
        status = rules.QUEUED if row["status"] == rules.SENDING else row["status"]
        slot = found.setdefault(
            (row["notice_id"], row["channel"]), dict.fromkeys(PROGRESS_STATUSES, 0)
        )
        slot[status] = slot.get(status, 0) + row["n"]
    return found


def messages_by_channel_and_status():
    """``{(channel, status): n}`` over every message kept; ``sending`` counts as queued (it is
    not sent yet). One query."""
    found = {}
    for row in Message.objects.values("channel", "status").annotate(n=Count("id")).order_by():
        status = rules.QUEUED if row["status"] == rules.SENDING else row["status"]
        key = (row["channel"], status)
        found[key] = found.get(key, 0) + row["n"]
    return found


# What counts as "sent" in reports: handed to the provider (delivered: the receipt came back).
SENT_STATUSES = (rules.SENT, rules.DELIVERED)


def messages_by_event_channel_status(*, outage_id):
    """The outage's messages (its own events and its callbacks') counted per event, channel
    and status, in event, channel and status order: ``[{"event", "event_label", "channel",
    "channel_label", "status", "status_label", "count"}]``. ``sending`` counts as queued.
    One query on the index that leads with the outage."""
    counts = {}
    rows = (
        Message.objects.filter(outage_id=outage_id)
        .values("notice__event", "channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        status = rules.QUEUED if row["status"] == rules.SENDING else row["status"]
        key = (row["notice__event"], row["channel"], status)
        counts[key] = counts.get(key, 0) + row["n"]
    order = {
        "event": {event: i for i, event in enumerate(rules.EVENTS)},
        "channel": {channel: i for i, channel in enumerate(rules.CHANNELS)},
        "status": {status: i for i, status in enumerate(rules.STATUS_LABELS)},
    }
    return [
        {
            "event": event,
            "event_label": rules.EVENT_LABELS.get(event, event),
            "channel": channel,
            "channel_label": rules.CHANNEL_LABELS.get(channel, channel),
            "status": status,
            "status_label": rules.STATUS_LABELS.get(status, status),
            "count": n,
        }
        for (event, channel, status), n in sorted(
            counts.items(),
            key=lambda item: (
                order["event"].get(item[0][0], 99),
                order["channel"].get(item[0][1], 99),
                order["status"].get(item[0][2], 99),
            ),
        )
    ]


def outage_progress(outage):
    """The outage's sends, newest first, each with a row per channel: counts by status.
    Two queries."""
    notices = list(Notice.objects.filter(outage=outage).order_by("-created_at", "-id"))
    counts = _counts(Message.objects.filter(notice__in=notices))
    return [
        {
            "notice": notice,
            "channels": [
                {"channel": rules.CHANNEL_LABELS[channel], "counts": counts[(notice.pk, channel)]}
                for channel in rules.CHANNELS
                if (notice.pk, channel) in counts
            ],
        }
        for notice in notices
    ]


def sends_for_supervisor(*, limit=50):
    """Recent sends with counts per status, and recent failures. Three queries."""
    notices = list(
        Notice.objects.select_related("outage", "callback").order_by("-created_at", "-id")[:limit]
    )
    totals = {}
    for row in (
        Message.objects.filter(notice__in=notices)
        .values("notice_id", "status")
        .annotate(n=Count("id"))
    ):
        slot = totals.setdefault(row["notice_id"], dict.fromkeys(PROGRESS_STATUSES, 0))
        status = rules.QUEUED if row["status"] == rules.SENDING else row["status"]
        slot[status] = slot.get(status, 0) + row["n"]
    failures = list(
        Message.objects.filter(status=rules.FAILED).select_related("notice").order_by("-id")[:50]
    )
    return [
        {"notice": notice, "counts": totals.get(notice.pk, dict.fromkeys(PROGRESS_STATUSES, 0))}
        for notice in notices
    ], failures


MESSAGES_SHOWN = 20


def _messages_to(customer, phone, email=None):
    condition = Q(customer_id=customer) | Q(channel=rules.SMS, address=phone)
    if email is not None:
        condition |= Q(channel=rules.EMAIL, address=email)
    return (
        Message.objects.filter(condition)
        .select_related("notice")
        .order_by("-created_at", "-id")[:MESSAGES_SHOWN]
    )


# Every lookup that finds a customer runs one of them: their SQL is written once per process.
_STAND_INS = {"customer": stand_in_id(), "phone": stand_in_text("phone")}
_MESSAGES_TO_PHONE = Precompiled(_messages_to, **_STAND_INS)
_MESSAGES_TO_PHONE_OR_EMAIL = Precompiled(_messages_to, **_STAND_INS, email=stand_in_text("email"))


def messages_for_customer(customer):
    """What we sent this customer (by their id, phone or email), newest first, at most
    ``MESSAGES_SHOWN``, with their notices. One query."""
    if customer is None:
        return []
    values = {"customer": customer.pk, "phone": customer.phone}
    if customer.email:
        return _MESSAGES_TO_PHONE_OR_EMAIL.run(**values, email=customer.email)
    return _MESSAGES_TO_PHONE.run(**values)


def reach_for_outage(outage):
    return fanout.reach(outage=outage)


def reach_for_areas(*, area_ids, all_areas):
    return fanout.reach(area_ids=area_ids, all_areas=all_areas)


def declared_notice(outage):
    return Notice.objects.filter(event=rules.DECLARED, key=f"outage:{outage.pk}").first()


def customer_for_preview(*, outage, account_number=""):
    """The customer the preview is for: the account asked for, else the first the outage
    covers that has a phone or email."""
    customers = Customer.objects.select_related("area")
    if account_number:
        return customers.filter(account_number=account_number.strip()).first()
    if not outage.all_areas:
        customers = customers.filter(area__in=outage.areas.all())
    return customers.filter(status=Customer.Status.ACTIVE).order_by("account_number").first()
