"""Summary rows the analytics page reads instead of the callback tables.

Maintained by ``services.summaries_refresh`` (a Celery beat task every five minutes, and
``manage.py reports_rebuild`` for everything): the analytics page over a year reads a few
thousand small rows and never touches the millions of callbacks and attempts that agents are
writing. The post-incident report of one outage reads the live rows (indexed by outage).
"""

from django.conf import settings
from django.db import models


class OutageSummary(models.Model):
    """The callback figures of one restored outage."""

    outage = models.OneToOneField(
        "outages.Outage", on_delete=models.CASCADE, related_name="report_summary"
    )
    started_at = models.DateTimeField()
    restored_at = models.DateTimeField()
    callbacks = models.PositiveIntegerField(default=0)
    released = models.PositiveIntegerField(default=0)
    first_attempts = models.PositiveIntegerField(default=0)
    first_in_time = models.PositiveIntegerField(default=0)
    first_success = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    voicemail = models.PositiveIntegerField(default=0)
    no_voicemail = models.PositiveIntegerField(default=0)
    wrong_number = models.PositiveIntegerField(default=0)
    still_without_service = models.PositiveIntegerField(default=0)
    letters = models.PositiveIntegerField(default=0)
    still_open = models.PositiveIntegerField(default=0)
    lookups = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["restored_at"]
        indexes = [models.Index(fields=["restored_at"], name="outagesummary_restored")]

    def __str__(self):
        return f"Summary of outage {self.outage_id}"


class AgentDaySummary(models.Model):
    """One agent's attempts on one local day, and how many were placed in time."""

    day = models.DateField()
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField(default=0)
    first_attempts = models.PositiveIntegerField(default=0)
    in_time = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    voicemail = models.PositiveIntegerField(default=0)
    no_voicemail = models.PositiveIntegerField(default=0)
    wrong_number = models.PositiveIntegerField(default=0)
    still_without_service = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "agent"]
        constraints = [
            models.UniqueConstraint(fields=["day", "agent"], name="one_summary_per_agent_day")
        ]

    def __str__(self):
        return f"{self.agent_id} on {self.day}"


class LookupHourSummary(models.Model):
    """Live-call lookups that opened a customer card, per hour."""

    hour = models.DateTimeField(unique=True)
    lookups = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["hour"]

    def __str__(self):
        return f"{self.lookups} lookups at {self.hour:%Y-%m-%d %H:00}"
