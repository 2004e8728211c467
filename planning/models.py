"""The staffing forecasts: the simulation's answer kept for the queue board and the reports."""

from django.db import models


class StaffingForecast(models.Model):
    """The staffing alarm: the restoration simulation run on the real open callbacks and the
    agents on duty. A snapshot, refreshed on a schedule and when an outage is restored; the
    queue board and the reports read the latest one."""

    computed_at = models.DateTimeField(db_index=True)
    trigger = models.CharField(max_length=24, default="schedule")
    outage = models.ForeignKey(
        "outages.Outage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staffing_forecasts",
        help_text="The restored outage that triggered this forecast, if any.",
    )
    open_callbacks = models.PositiveIntegerField()
    already_late = models.PositiveIntegerField(default=0)
    agents_on_duty = models.PositiveIntegerField()
    will_miss = models.PositiveIntegerField()
    agents_needed = models.PositiveIntegerField(null=True, blank=True)
    capacity_bound = models.PositiveIntegerField()
    handle_minutes = models.FloatField()
    handle_observed = models.BooleanField(default=False)
    seed = models.PositiveIntegerField(default=0)
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        # Created as callbacks' table before planning owned it; the name stays.
        db_table = "callbacks_staffingforecast"
        ordering = ["-computed_at", "-id"]

    def __str__(self):
        return f"Staffing forecast at {self.computed_at:%Y-%m-%d %H:%M}"
