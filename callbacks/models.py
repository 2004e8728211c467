"""Callback requests, their attempts (call logs), letters and timeline; agents' duty."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from . import policy


class CallbackQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=policy.OPEN_STATUSES)

    def workable(self):
        return self.filter(status__in=policy.WORKABLE_STATUSES)

    def distributable(self):
        """Due work that no agent holds yet."""
        return self.filter(status__in=policy.DISTRIBUTABLE_STATUSES, assigned_to__isnull=True)

    def due_first(self):
        return self.order_by("due_at", "id")


class CallbackRequest(models.Model):
    class ContactWindow(models.TextChoices):
        ANY = "any", "Any time"
        MORNING = "morning", "Morning (8-12)"
        AFTERNOON = "afternoon", "Afternoon (12-17)"
        EVENING = "evening", "Evening (17-20)"

    outage = models.ForeignKey(
        "outages.Outage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
        db_index=False,  # (outage, status) and (outage, phone) lead with it
        help_text="Empty for a technical issue with no known outage.",
    )
    customer = models.ForeignKey(
        "outages.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=32, help_text="E.164, with ;ext=N for an extension")
    account_number = models.CharField(max_length=32, blank=True)
    call_reason = models.CharField(max_length=200)
    category = models.CharField(max_length=80, blank=True)
    subcategory = models.CharField(max_length=80, blank=True)
    item = models.CharField(max_length=120, blank=True)
    notes = models.TextField(blank=True)
    preferred_window = models.CharField(
        max_length=16, choices=ContactWindow.choices, default=ContactWindow.ANY
    )
    ticket_reference = models.CharField(max_length=40, blank=True)

    status = models.CharField(
        max_length=16, choices=list(policy.STATUS_LABELS.items()), default=policy.WAITING
    )
    due_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_callbacks",
        db_index=False,  # (assigned_to, status, due_at) leads with it
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    at_risk = models.BooleanField(default=False)
    breached_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline was first missed (recorded once)."
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        # Only deleting a user reads it; every released or assigned row would pay to keep it.
        db_index=False,
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = CallbackQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            # One open callback per phone number per outage: a second filing merges.
            models.UniqueConstraint(
                fields=["outage", "phone"],
                condition=Q(status__in=sorted(policy.OPEN_STATUSES)),
                name="one_open_callback_per_phone_per_outage",
            ),
            models.CheckConstraint(
                condition=Q(status=policy.WAITING) | Q(due_at__isnull=False),
                name="callback_due_unless_waiting",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="callback_status_due"),
            models.Index(fields=["assigned_to", "status", "due_at"], name="callback_agent_due"),
            models.Index(fields=["outage", "status"], name="callback_outage_status"),
        ]

    def __str__(self):
        return f"Callback #{self.pk} {self.name} ({self.get_status_display()})"

    @property
    def is_open(self):
        return self.status in policy.OPEN_STATUSES


class CallbackAttempt(models.Model):
    """One outbound call: the call log the CRM gets."""

    callback = models.ForeignKey(
        CallbackRequest, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    outcome = models.CharField(max_length=32, choices=list(policy.OUTCOME_LABELS.items()))
    category = models.CharField(max_length=80, blank=True)
    subcategory = models.CharField(max_length=80, blank=True)
    subject = models.CharField(max_length=120)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["callback", "number"]
        constraints = [
            models.UniqueConstraint(fields=["callback", "number"], name="one_attempt_number"),
        ]
        indexes = [models.Index(fields=["at"], name="attempt_at")]

    def __str__(self):
        return self.subject


class Letter(models.Model):
    """A no-contact letter for the mail correspondence process."""

    class Status(models.TextChoices):
        TO_SEND = "to_send", "To send"
        SENT = "sent", "Sent"

    callback = models.OneToOneField(
        CallbackRequest, on_delete=models.CASCADE, related_name="letter"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TO_SEND)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    postal_code = models.CharField(max_length=12, blank=True)
    produced_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["produced_at", "id"]
        indexes = [models.Index(fields=["status", "produced_at"], name="letter_status")]

    def __str__(self):
        return f"Letter for {self.name} ({self.get_status_display()})"


class CallbackEvent(models.Model):
    """Every state change of a callback: who (empty: the workers), when, from, to, why."""

    callback = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["callback", "at"], name="callbackevent_callback_at")]

    def __str__(self):
        return f"{self.from_status} -> {self.to_status}: {self.reason}"


class AgentDuty(models.Model):
    """Whether an agent takes callback work now, and how much they may hold."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="callback_duty"
    )
    on_duty = models.BooleanField(default=False)
    cap = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Open assigned callbacks at most (empty: the default)."
    )
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "agent duty"
        indexes = [models.Index(fields=["on_duty"], name="agentduty_on")]

    def __str__(self):
        return f"{self.agent} {'on' if self.on_duty else 'off'} duty"


class DistributionRun(models.Model):
    """An audit row per distribution: who asked for which strategy and what it assigned."""

    strategy = models.CharField(max_length=24)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    cap = models.PositiveSmallIntegerField()
    assigned = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.strategy} at {self.at:%Y-%m-%d %H:%M}: {self.assigned} assigned"
