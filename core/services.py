"""Writes of the core app: unlocking a login that django-axes locked out."""

from axes.utils import reset
from django.db import transaction

from .audit import audit_record
from .errors import ServiceError

LOGIN_UNLOCKED = "login.unlocked"


@transaction.atomic
def login_unlock(*, actor, now, username="", ip_address=None, actor_ip=None):
    """Clear the failed logins of an account (``username``) and/or an address, so they can log
    in again before the lockout cools off. Audited. Returns how many attempt rows were cleared."""
    if not username and not ip_address:
        raise ServiceError("Say which account or address to unlock.")
    cleared = 0
    if username:
        cleared += reset(username=username)
    if ip_address:
        cleared += reset(ip=ip_address)
    audit_record(
        action=LOGIN_UNLOCKED,
        actor=actor,
        subject=username or ip_address,
        detail={"username": username, "address": ip_address or "", "cleared": cleared},
        ip_address=actor_ip,
        now=now,
    )
    return cleared
