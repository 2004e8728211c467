"""What contact keeps of its own: the inbound calls the live-call screen logs. (Attempts and
letters are rows of ``callbacks``, written through ``contact``'s services.)"""

from django.conf import settings
from django.db import models


class InboundCall(models.Model):
    """A live call that opened a customer's card: the inbound interaction on their history.

    Logged by the live-call screen when a lookup shows the card (one row per agent, customer
    and call: opening the same card again within a few minutes is the same call). The agent may
    add a one-line note of the outcome when the call ended without a callback."""

    customer = models.ForeignKey(
        "outages.Customer", on_delete=models.CASCADE, related_name="inbound_calls", db_index=False
    )
    outage = models.ForeignKey(
        "outages.Outage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_calls",
        help_text="The outage covering the caller when the card opened, if any.",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    noted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Created as callbacks' table before contact owned it; the name stays.
        db_table = "callbacks_inboundcall"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-at"], name="inboundcall_customer_at"),
            models.Index(fields=["at"], name="inboundcall_at"),
        ]

    def __str__(self):
        return f"Inbound call from {self.customer_id} at {self.at:%Y-%m-%d %H:%M}"
