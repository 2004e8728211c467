"""API keys (one per integration), idempotent requests, webhook subscriptions and the
webhook outbox (one delivery row per event and subscription: the truth of what was sent)."""

from django.conf import settings
from django.db import models

from . import keys


class ApiKey(models.Model):
    name = models.CharField(max_length=80, unique=True, help_text="The integration, e.g. IVR.")
    prefix = models.CharField(max_length=keys.PREFIX_LENGTH, unique=True)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the key; the key is not kept.")
    scopes = models.JSONField(default=list)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_key",
        help_text="The integration's own account: callbacks it files are filed by it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self):
        return self.revoked_at is None

    def has_scope(self, scope):
        return scope in self.scopes


class IdempotentRequest(models.Model):
    """A request made with an ``Idempotency-Key``: its answer, replayed to a retry."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="one_request_per_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_created")]

    def __str__(self):
        return f"{self.endpoint} {self.key}"


class WebhookSubscription(models.Model):
    CALLBACKS = "callbacks"
    OUTAGES = "outages"
    TOPIC_LABELS = {CALLBACKS: "Callback changes", OUTAGES: "Outage changes"}

    name = models.CharField(max_length=80)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=80, help_text="Shared secret for the HMAC signature.")
    topics = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    # How far the outbox has read the callbacks' and outages' timelines for this subscription.
    callback_event_cursor = models.BigIntegerField(default=0)
    outage_update_cursor = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} -> {self.url}"


class WebhookDelivery(models.Model):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    STATUS_LABELS = {PENDING: "Pending", DELIVERED: "Delivered", FAILED: "Gave up"}

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    subject = models.CharField(max_length=40, help_text="callback:<id> or outage:<id>: in order.")
    source_id = models.BigIntegerField(help_text="The timeline row this event comes from.")
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=list(STATUS_LABELS.items()), default=PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event", "source_id"], name="one_delivery_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["subscription", "subject", "id"], name="delivery_subject"),
        ]

    def __str__(self):
        return f"{self.event} #{self.source_id} -> {self.subscription_id} ({self.status})"
