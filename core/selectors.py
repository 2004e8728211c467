"""Reads of the audit trail and of the current login lockouts, for the supervisors' pages."""

from datetime import datetime, time, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q

from .models import AuditEntry


def audit_entries(*, action="", user="", start=None, end=None, zone=None):
    """Newest first. ``action`` matches a code or its prefix (``login`` finds every login
    action); ``user`` the actor's name or the subject; ``start``/``end`` are days in ``zone``,
    both included."""
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if user:
        entries = entries.filter(Q(actor_name__iexact=user) | Q(subject__iexact=user))
    if start:
        entries = entries.filter(at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end:
        entries = entries.filter(
            at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        )
    return entries.order_by("-at", "-id")


def audit_actions():
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def login_lockouts(*, now):
    """Accounts and addresses at or past the failure limit whose lockout has not cooled off."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
    return list(attempts.order_by("-attempt_time"))
