"""The callback settings, read in one place (settings carry the numbers, policy the logic)."""

from datetime import time
from zoneinfo import ZoneInfo

from django.conf import settings

from . import policy


def rules():
    """The callback rules as configured (settings carry the numbers, policy the logic)."""
    return policy.Rules(
        target=settings.CALLBACK_TARGET,
        retry_window=settings.CALLBACK_RETRY_WINDOW,
        max_attempts=settings.CALLBACK_MAX_ATTEMPTS,
        at_risk_margin=settings.CALLBACK_AT_RISK_MARGIN,
    )


def _clock(value):
    """``HH:MM``; ``24:00`` is the end of the day (calls at any hour: "00:00" to "24:00")."""
    return time.max if value in ("24:00", "24:00:00") else time.fromisoformat(value)


def calling_hours():
    """When customers may be called. The customer's zone is the centre's ``TIME_ZONE`` (or
    ``CALLBACK_CALLING_ZONE``): the directory holds no per-customer zone."""
    return policy.CallingHours(
        opens=_clock(settings.CALLBACK_CALLING_OPENS),
        closes=_clock(settings.CALLBACK_CALLING_CLOSES),
        zone=ZoneInfo(settings.CALLBACK_CALLING_ZONE),
    )


def window_grace():
    return settings.CALLBACK_WINDOW_GRACE


def min_calling_time():
    return settings.CALLBACK_MIN_CALLING_TIME


def escalation_target():
    return settings.CALLBACK_ESCALATION_TARGET


def letter_pdf_font():
    """The TrueType font the letters' PDF uses when the file exists (Helvetica otherwise)."""
    return settings.LETTER_PDF_FONT
