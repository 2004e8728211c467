"""Write the audit trail: one row per security-relevant action, in the caller's transaction."""

from axes.helpers import get_client_ip_address
from django.utils import timezone

from .models import AuditEntry


def audit_record(
    *, action, actor=None, actor_name="", subject="", detail=None, ip_address=None, now=None
):
    """Record ``action`` (a short dotted code such as ``duty.changed``) by ``actor``."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_name = actor_name or actor.get_username()
    else:
        actor = None
    return AuditEntry.objects.create(
        at=now or timezone.now(),
        actor=actor,
        actor_name=actor_name[:150],
        action=action,
        subject=str(subject)[:255],
        detail=detail or {},
        ip_address=ip_address,
    )


def request_address(request):
    """The client's address as django-axes reads it (through the proxy when HTTPS_ONLY)."""
    if request is None:
        return None
    try:
        return get_client_ip_address(request) or None
    except Exception:  # noqa: BLE001 - an odd header must never break the action
        return request.META.get("REMOTE_ADDR") or None
