"""Messages to affected customers. ``Message`` is the outbox and the record of what was sent:
one row per event, recipient and channel, written before anything is sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from . import rules


class Notice(models.Model):
    """One event told to its recipients (a "send"): an outage declared, its ETR moved, an
    apology for a missed promised time, a restoration, a callback filed or answered."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Sending"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"

    outage = models.ForeignKey(
        "outages.Outage", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    callback = models.ForeignKey(
        "callbacks.CallbackRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    event = models.CharField(max_length=24, choices=list(rules.EVENT_LABELS.items()))
    # What makes the event unique, its subject included: "outage:7:etr:2026-11-30T18:00".
    key = models.CharField(max_length=120)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    etr = models.DateTimeField(null=True, blank=True, help_text="The ETR when the event happened.")
    promised_etr = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipients = models.PositiveIntegerField(default=0)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "key"], name="one_notice_per_event"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} ({self.key or self.pk})"


class Message(models.Model):
    """One message to one address on one channel. The sender claims queued rows, marks them
    sending, then sent; receipts move them to delivered or failed."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="messages")
    outage = models.ForeignKey(
        "outages.Outage", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        "outages.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subscription = models.ForeignKey(
        "Subscription", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=list(rules.CHANNEL_LABELS.items()))
    address = models.CharField(max_length=254, help_text="E.164 phone or email address.")
    status = models.CharField(
        max_length=12, choices=list(rules.STATUS_LABELS.items()), default=rules.QUEUED
    )
    priority = models.PositiveSmallIntegerField(default=5)
    not_before = models.DateTimeField(help_text="Quiet hours hold SMS until this time.")
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True, help_text="Exactly what was sent.")
    segments = models.PositiveSmallIntegerField(default=0)
    script_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Never two messages for the same event to the same address on one channel.
            models.UniqueConstraint(
                fields=["notice", "channel", "address"], name="one_message_per_event_address"
            ),
        ]
        indexes = [
            # The sender's claim: queued rows by priority and age.
            models.Index(
                fields=["priority", "id"],
                condition=Q(status="queued"),
                name="message_queued",
            ),
            models.Index(fields=["customer", "-created_at"], name="message_customer"),
            models.Index(fields=["outage", "channel", "address"], name="message_outage_address"),
            models.Index(fields=["provider_id"], name="message_provider_id"),
        ]

    def __str__(self):
        return f"{self.channel} to {self.address} ({self.status})"


class OptOut(models.Model):
    """An address that asked for no more messages on a channel (a link, or an SMS STOP)."""

    channel = models.CharField(max_length=8, choices=list(rules.CHANNEL_LABELS.items()))
    address = models.CharField(max_length=254)
    customer = models.ForeignKey(
        "outages.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=16)  # link, sms_stop, supervisor
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="one_optout_per_address")
        ]

    def __str__(self):
        return f"{self.channel} {self.address} opted out"


class Subscription(models.Model):
    """Someone (customer or not) who asked to hear about outages at a postal code. Pending
    until they confirm from the message we send them (double opt-in)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    postal_code = models.CharField(max_length=12, db_index=True)
    area = models.ForeignKey(
        "outages.ServiceArea", on_delete=models.CASCADE, related_name="subscriptions"
    )
    channel = models.CharField(max_length=8, choices=list(rules.CHANNEL_LABELS.items()))
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["postal_code", "channel", "address"], name="one_subscription_per_address"
            )
        ]
        indexes = [models.Index(fields=["area", "status"], name="subscription_area_status")]

    def __str__(self):
        return f"{self.channel} {self.address} for {self.postal_code} ({self.status})"


class EtrPromise(models.Model):
    """The ETR an agent read to a customer on a call (the live-call screen showed it)."""

    customer = models.ForeignKey("outages.Customer", on_delete=models.CASCADE, related_name="+")
    outage = models.ForeignKey("outages.Outage", on_delete=models.CASCADE, related_name="+")
    etr = models.DateTimeField()
    told_at = models.DateTimeField()
    told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    apologised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-told_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "outage", "etr"], name="one_promise_per_etr"
            )
        ]
        indexes = [models.Index(fields=["outage", "etr"], name="promise_outage_etr")]

    def __str__(self):
        return f"{self.customer_id} told {self.etr:%Y-%m-%d %H:%M}"


class NoticeEvent(models.Model):
    """The supervisor's record of a send: who started, paused, resumed or cancelled it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=24)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"
