"""Call scripts by moment and scope, with every saved version kept."""

from django.conf import settings
from django.db import models

from outages.lifecycle import KIND_LABELS

from . import moments

KIND_SCOPE_LABELS = {"network": "Network outages", "systems": "Internal systems outages"}


class Script(models.Model):
    moment = models.CharField(max_length=32, choices=list(moments.LABELS.items()))
    scope = models.CharField(
        max_length=8, choices=list(moments.SCOPES.items()), default=moments.DEFAULT
    )
    outage_kind = models.CharField(max_length=16, choices=list(KIND_LABELS.items()), blank=True)
    outage = models.ForeignKey(
        "outages.Outage", on_delete=models.CASCADE, null=True, blank=True, related_name="scripts"
    )
    language = models.CharField(
        max_length=8, choices=list(moments.LANGUAGES.items()), default=moments.DEFAULT_LANGUAGE
    )
    # Derived from scope/outage_kind/outage by the service that saves it.
    scope_key = models.CharField(max_length=40, editable=False)
    live_version = models.ForeignKey(
        "ScriptVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["moment", "scope_key", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["moment", "scope_key", "language"], name="one_script_per_moment_scope"
            ),
        ]
        indexes = [models.Index(fields=["scope_key", "language"], name="script_scope_lang")]

    def __str__(self):
        return f"{moments.LABELS.get(self.moment, self.moment)} [{self.scope_key}, {self.language}]"

    @property
    def scope_label(self):
        """Where this wording is used, for people: "Every call", "Internal systems outages",
        "Outage: Fibre cut in Northgate". Reads ``outage`` (select it with the script)."""
        if self.scope == moments.KIND:
            return KIND_SCOPE_LABELS.get(self.outage_kind, f"{self.outage_kind} outages")
        if self.scope == moments.OUTAGE:
            return f"Outage: {self.outage.title}" if self.outage else "One outage"
        return "Every call"


class ScriptVersion(models.Model):
    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    published = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["script", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["script", "number"], name="one_version_number"),
        ]

    def __str__(self):
        return f"{self.script} v{self.number}"
