"""The one place the callback settings are read (settings carry the numbers, ``policy`` the
logic): the rules (``CALLBACK_TARGET``, ``CALLBACK_RETRY_WINDOW``, ``CALLBACK_MAX_ATTEMPTS``,
``CALLBACK_AT_RISK_MARGIN``), the agent cap, calling hours, windows and escalation. Read at
call time, so a changed setting (or a test's override) applies at once."""

from datetime import time
from zoneinfo import ZoneInfo

from django.conf import settings

from schedule import policy as schedule

from . import policy


def rules():
    """The callback rules as configured."""
    return policy.Rules(
        target=settings.CALLBACK_TARGET,
        retry_window=settings.CALLBACK_RETRY_WINDOW,
        max_attempts=settings.CALLBACK_MAX_ATTEMPTS,
        at_risk_margin=settings.CALLBACK_AT_RISK_MARGIN,
    )


def callback_target():
    """How long after restoration (or a later filing) a first callback is due."""
    return rules().target


def target_hours():
    """The first-callback target in whole hours, as pages and scripts say it."""
    return int(callback_target().total_seconds() // 3600)


def agent_cap():
    """How many open callbacks an agent holds at most, unless their own cap says otherwise."""
    return settings.CALLBACK_AGENT_CAP


def _clock(value):
    """``HH:MM``; ``24:00`` is the end of the day (calls at any hour: "00:00" to "24:00")."""
    return time.max if value in ("24:00", "24:00:00") else time.fromisoformat(value)


def calling_hours():
    """When customers may be called. The customer's zone is the centre's ``TIME_ZONE`` (or
    ``CALLBACK_CALLING_ZONE``): the directory holds no per-customer zone."""
    return schedule.CallingHours(
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
