"""Callback requests, their attempts (call logs), letters and timeline; agents' duty."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from schedule import policy as schedule

from . import policy


class CallbackQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=policy.OPEN_STATUSES)

    def workable(self):
        return self.filter(status__in=policy.WORKABLE_STATUSES)

    def distributable(self):
        """Due work that no agent holds yet (escalated callbacks are the team leads')."""
        return self.filter(
            status__in=policy.DISTRIBUTABLE_STATUSES,
            assigned_to__isnull=True,
            escalated_at__isnull=True,
        )

    def offerable(self, *, now, hours):
        """What may be offered to an agent at ``now`` (``schedule.offerable``): nothing outside
        calling hours, and nothing before the customer's window opens."""
        if not schedule.in_calling_hours(now, hours=hours):
            # Nothing, as a condition rather than ``none()``: callers compose this into raw SQL.
            return self.filter(pk__isnull=True)
        return self.filter(Q(window_start__isnull=True) | Q(window_start__lte=now))

    def escalated(self):
        """Workable callbacks escalated to a team lead."""
        return self.workable().filter(escalated_at__isnull=False)

    def due_first(self):
        return self.order_by("due_at", "id")


class CallbackRequest(models.Model):
    # Columns added after the first release carry database defaults too, so bulk loaders
    # that name their columns (COPY, INSERT ... SELECT) need not know them.

    class ContactWindow(models.TextChoices):
        ANY = schedule.ANY_TIME, schedule.WINDOW_LABELS[schedule.ANY_TIME]
        MORNING = schedule.MORNING, schedule.WINDOW_LABELS[schedule.MORNING]
        AFTERNOON = schedule.AFTERNOON, schedule.WINDOW_LABELS[schedule.AFTERNOON]
        EVENING = schedule.EVENING, schedule.WINDOW_LABELS[schedule.EVENING]
        TOMORROW_MORNING = (
            schedule.TOMORROW_MORNING,
            schedule.WINDOW_LABELS[schedule.TOMORROW_MORNING],
        )
        SLOT = schedule.SLOT, schedule.WINDOW_LABELS[schedule.SLOT]

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
    # Up to three numbers in the order to try, as ordered fields (``phone`` first: the one the
    # one-open-callback-per-number rule and every list use); ``dial_position`` says which one
    # is dialled next (1-3), moved on by a wrong number.
    phone = models.CharField(max_length=32, help_text="E.164, with ;ext=N for an extension")
    phone_2 = models.CharField(
        max_length=32, blank=True, db_default="", help_text="E.164, tried second"
    )
    phone_3 = models.CharField(
        max_length=32, blank=True, db_default="", help_text="E.164, tried third"
    )
    dial_position = models.PositiveSmallIntegerField(default=1, db_default=1)
    account_number = models.CharField(max_length=32, blank=True)
    call_reason = models.CharField(max_length=200)
    category = models.CharField(max_length=80, blank=True)
    subcategory = models.CharField(max_length=80, blank=True)
    item = models.CharField(max_length=120, blank=True)
    notes = models.TextField(blank=True)
    preferred_window = models.CharField(
        max_length=16, choices=ContactWindow.choices, default=ContactWindow.ANY
    )
    # The window in real instants: given for a specific time, computed from
    # ``preferred_window`` when the callback becomes due otherwise (see schedule.window_bounds).
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    # The deadline follows the customer's window: missing the 8-hour target is not a breach.
    rescheduled_by_customer = models.BooleanField(default=False, db_default=False)
    # What calling hours did to the deadline (schedule.KEPT / BROUGHT_FORWARD / MOVED_TO_OPENING).
    deadline_moved = models.CharField(max_length=8, blank=True, db_default="")
    ticket_reference = models.CharField(max_length=40, blank=True)
    channel = models.CharField(
        max_length=8,
        choices=list(policy.CHANNEL_LABELS.items()),
        default=policy.AGENT_CHANNEL,
        db_default=policy.AGENT_CHANNEL,  # bulk loads (COPY, raw INSERT) name no channel
        help_text="How the request reached us: an agent, the IVR, the web page or the API.",
    )

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
    # Wrong numbers that moved on to the next number: logged, not counted toward the letter.
    uncounted_attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    at_risk = models.BooleanField(default=False)
    breached_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline was first missed (recorded once)."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    personal_data_removed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the name, phone, account and notes were removed (retention or erasure).",
    )

    # Cancelled: why, when, by whom (empty with ``cancelled_by_customer``: the customer's own
    # self-service link), and the status it had, which a team lead's reopening restores.
    cancel_reason = models.CharField(
        max_length=16, choices=list(policy.CANCEL_REASONS.items()), blank=True, db_default=""
    )
    cancel_note = models.CharField(max_length=300, blank=True, db_default="")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    cancelled_by_customer = models.BooleanField(default=False, db_default=False)
    cancelled_from = models.CharField(max_length=16, blank=True, db_default="")

    # Escalated to a team lead ("customer asks for someone senior"): its own deadline.
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    escalation_reason = models.CharField(max_length=300, blank=True, db_default="")
    escalation_due_at = models.DateTimeField(null=True, blank=True)

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
            # A callback cancelled while it waited for its outage never had a deadline.
            models.CheckConstraint(
                condition=Q(status__in=[policy.WAITING, policy.CANCELLED])
                | Q(due_at__isnull=False),
                name="callback_due_unless_waiting",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="callback_status_due"),
            models.Index(fields=["assigned_to", "status", "due_at"], name="callback_agent_due"),
            models.Index(fields=["outage", "status"], name="callback_outage_status"),
            # "Does this caller already have an open callback?" (the IVR, on every call).
            models.Index(
                fields=["phone"],
                condition=Q(status__in=sorted(policy.OPEN_STATUSES)),
                name="callback_open_phone",
            ),
        ]

    def __str__(self):
        return f"Callback #{self.pk} {self.name} ({self.get_status_display()})"

    @property
    def is_open(self):
        return self.status in policy.OPEN_STATUSES

    @property
    def numbers(self):
        """The numbers in the order to try (blanks dropped)."""
        return [n for n in (self.phone, self.phone_2, self.phone_3) if n]

    @property
    def dial_number(self):
        """The number to dial now."""
        ordered = [self.phone, self.phone_2, self.phone_3]
        return ordered[self.dial_position - 1] or self.phone


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
    dialled = models.CharField(
        max_length=32, blank=True, db_default="", help_text="The number called (E.164)"
    )
    # Answered calls: whether the customer agreed to go on on a recorded line (empty otherwise).
    consent = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["callback", "number"]
        constraints = [
            models.UniqueConstraint(fields=["callback", "number"], name="one_attempt_number"),
        ]
        indexes = [
            models.Index(fields=["at"], name="attempt_at"),
            # The queue board's "answered today" per agent: a range of one agent's day, not
            # every attempt the agent ever made.
            models.Index(fields=["agent", "at"], name="attempt_agent_at"),
        ]

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

    # Indexed by (callback, at) below: a second index on the callback alone would only cost.
    callback = models.ForeignKey(
        CallbackRequest, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    at = models.DateTimeField()
    # Indexed only where set: most rows are the workers' (release, distribution, sweeps).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        # A release of 100,000 callbacks writes 200,000 rows here: every index is paid for
        # on each of them.
        indexes = [
            models.Index(fields=["callback", "at"], name="callbackevent_callback_at"),
            models.Index(
                fields=["actor"],
                condition=models.Q(actor__isnull=False),
                name="callbackevent_actor_set",
            ),
        ]

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
        # The queue board reads the latest run and the latest a team lead started on every
        # render: automatic runs add a row a minute whenever they assign, a year of them is
        # hundreds of thousands.
        indexes = [
            models.Index(fields=["at", "id"], name="distributionrun_at"),
            models.Index(
                fields=["at", "id"],
                condition=Q(started_by__isnull=False),
                name="distributionrun_lead_at",
            ),
        ]

    def __str__(self):
        return f"{self.strategy} at {self.at:%Y-%m-%d %H:%M}: {self.assigned} assigned"
