"""Service areas, the customer directory, outages and their timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from . import lifecycle


class ServiceArea(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=80, db_index=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Coverage(models.Model):
    """Which service area a postal code belongs to. Postal codes are stored normalised
    (upper case, no spaces)."""

    postal_code = models.CharField(max_length=12, unique=True)
    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="coverage")

    class Meta:
        ordering = ["postal_code"]
        verbose_name_plural = "coverage"

    def __str__(self):
        return f"{self.postal_code} -> {self.area.code}"


class Customer(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED_NONPAYMENT = "suspended_nonpayment", "Suspended for non-payment"
        SUSPENDED_TERMS = "suspended_terms", "Suspended for a terms of service violation"
        DISCONNECTED_REQUESTED = "disconnected_requested", "Disconnected at the customer's request"

    account_number = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20, db_index=True, help_text="E.164")
    email = models.EmailField(
        blank=True, default="", db_default="", help_text="For outage messages; optional."
    )
    address = models.CharField(max_length=300)
    postal_code = models.CharField(max_length=12, db_index=True)
    area = models.ForeignKey(
        ServiceArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="customers"
    )
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.ACTIVE)
    language = models.CharField(max_length=8, default="en")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account_number"]

    def __str__(self):
        return f"{self.name} ({self.account_number})"

    @property
    def is_cut_off(self):
        return self.status != self.Status.ACTIVE


class OutageQuerySet(models.QuerySet):
    def active(self):
        """Declared and not yet restored."""
        return self.filter(status__in=lifecycle.OPEN_STATUSES)

    def current(self):
        """Still of interest to agents: not closed."""
        return self.exclude(status=lifecycle.CLOSED)

    def covering(self, area):
        """Outages over every area, or over ``area`` (an area or its primary key). The area's
        outages are a subquery on the areas table's index, not a join of every outage's areas
        (which then needed ``DISTINCT``): PostgreSQL reads the few rows of that area."""
        condition = Q(all_areas=True)
        if area is not None:
            over_area = self.model.areas.through.objects.filter(servicearea=area)
            condition |= Q(pk__in=over_area.values("outage_id"))
        return self.filter(condition)


class Outage(models.Model):
    kind = models.CharField(
        max_length=16, choices=list(lifecycle.KIND_LABELS.items()), default=lifecycle.NETWORK
    )
    title = models.CharField(max_length=200)
    service = models.CharField(max_length=120, blank=True)
    severity = models.CharField(
        max_length=16, choices=list(lifecycle.SEVERITY_LABELS.items()), default=lifecycle.MAJOR
    )
    status = models.CharField(
        max_length=16,
        choices=list(lifecycle.STATUS_LABELS.items()),
        default=lifecycle.INVESTIGATING,
        db_index=True,
    )
    cause = models.TextField(blank=True)
    etr = models.DateTimeField("estimated restoration", null=True, blank=True)
    started_at = models.DateTimeField()
    restored_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    areas = models.ManyToManyField(ServiceArea, related_name="outages", blank=True)
    all_areas = models.BooleanField(
        default=False, help_text="Covers every area (internal systems outages)."
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    ivr_announce = models.BooleanField(
        "IVR announces it",
        default=True,
        help_text="The IVR tells callers from its areas about this outage.",
    )
    ivr_offers_callbacks = models.BooleanField(
        "IVR offers callbacks",
        default=True,
        help_text="The IVR offers those callers a callback request.",
    )
    updated_at = models.DateTimeField()

    objects = OutageQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(restored_at__isnull=True) | Q(restored_at__gte=models.F("started_at")),
                name="outage_restored_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_active(self):
        return self.status in lifecycle.OPEN_STATUSES

    @property
    def is_restored(self):
        return self.restored_at is not None and self.status in (
            lifecycle.RESTORED,
            lifecycle.CLOSED,
        )


class OutageUpdate(models.Model):
    """The outage's timeline: every change, who made it and what customers are told."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=list(lifecycle.STATUS_LABELS.items()))
    message = models.TextField(blank=True, help_text="What agents tell customers.")
    cause = models.TextField(blank=True)
    etr = models.DateTimeField(null=True, blank=True)
    public = models.BooleanField(
        default=True, help_text="Customers may see it (the status page); off for internal notes."
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["outage", "-at"], name="outageupdate_outage_at")]

    def __str__(self):
        return f"{self.outage_id} {self.status} at {self.at:%Y-%m-%d %H:%M}"


class Escalation(models.Model):
    """Something about an outage that supervisors must act on. Raised once; cleared when
    someone acts (updates the ETR or restores)."""

    class Reason(models.TextChoices):
        PAST_ETR = "past_etr", "Not restored past its ETR"
        MISSING_ETR = "missing_etr", "No ETR given"
        STILL_WITHOUT_SERVICE = "still_without_service", "Customer still without service"

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="escalations")
    reason = models.CharField(max_length=32, choices=Reason.choices)
    area = models.ForeignKey(
        ServiceArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    etr_at_raise = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            # One open escalation per outage and reason: the sweep can run every minute.
            models.UniqueConstraint(
                fields=["outage", "reason"],
                condition=Q(cleared_at__isnull=True),
                name="one_open_escalation_per_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.outage}"


class RefundReview(models.Model):
    """A promise made on a call: the account will be reviewed for an adjustment once the
    outage is over."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        REVIEWED = "reviewed", "Reviewed"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="refund_reviews")
    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="refund_reviews")
    area = models.ForeignKey(
        ServiceArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "outage"], name="one_refund_review"),
        ]

    def __str__(self):
        return f"Refund review for {self.customer} ({self.get_status_display()})"
