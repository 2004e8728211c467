"""The one place the callback rule settings are read (settings carry the numbers, ``policy`` the
logic): ``CALLBACK_TARGET``, ``CALLBACK_RETRY_WINDOW``, ``CALLBACK_MAX_ATTEMPTS``,
``CALLBACK_AT_RISK_MARGIN`` and ``CALLBACK_AGENT_CAP``. Read at call time, so a changed setting
(or a test's override) applies at once."""

from django.conf import settings

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
