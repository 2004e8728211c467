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
