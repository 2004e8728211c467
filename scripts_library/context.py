"""The values a script's placeholders are filled with on a call."""

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from core.people import display_name
from outages import lifecycle

from . import placeholders


def _local(dt):
    return date_format(timezone.localtime(dt), "D j M, g:i A")


def when(dt, *, now):
    """A time in the agent's zone, with how far away it is: 'Mon 23 Nov, 6:30 PM (in 3 h)'."""
    return f"{_local(dt)} ({lifecycle.describe_relative(target=dt, now=now)})"


# The callbacks app owns the first-callback target and registers how to read it at start-up
# (``use_callback_target``): scripts phrase the promise without importing the app above them.
_callback_target = {}


def use_callback_target(provider):
    """Register ``provider()``: the timedelta within which a first callback is due."""
    _callback_target["provider"] = provider


def _target():
    provider = _callback_target.get("provider")
    return provider() if provider is not None else None


def callback_deadline(*, now, outage=None, callback=None):
    """When a callback will come, as a phrase that carries its own preposition, so that a
    script reads "we will call you <Callback Deadline>" whatever the case:

    - a callback with a deadline: "by Mon 23 Nov, 6:30 PM";
    - an outage already restored: "by" the target after restoration (or after now, for a
      request filed later);
    - an outage still on: "within 8 hours of the service being restored";
    - no outage: "by" the target from now;
    - no target known (callbacks not installed): None, a visible gap.
    """
    if callback is not None and callback.due_at:
        return f"by {_local(callback.due_at)}"
    target = _target()
    if target is None:
        return None
    if outage is not None and outage.is_restored:
        return f"by {_local(max(outage.restored_at, now) + target)}"
    if outage is not None:
        return f"within {_hours(target)} of the service being restored"
    return f"by {_local(now + target)}"


def _hours(delta):
    hours = int(delta.total_seconds() // 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"


def placeholder_values(*, now, customer=None, outage=None, agent=None, callback=None, area=None):
    """Everything we know for this call, keyed as ``placeholders.KEYS`` expects. Unknown values
    stay None so that the agent sees a visible gap, never an empty string."""
    area = area or (customer.area if customer else None)
    deadline = callback_deadline(now=now, outage=outage, callback=callback)
    values = {
        "customer_name": (callback.name if callback else None)
        or (customer.name if customer else None),
        "agent_name": display_name(agent) if agent else None,
        "brand": settings.BRAND_NAME,
        "call_reason": callback.call_reason if callback else None,
        "item": (callback.item or None) if callback else None,
        "inbound_number": settings.INBOUND_NUMBER,
        "cause": (outage.cause or None) if outage else None,
        "etr": _local(outage.etr) if outage and outage.etr else None,
        "area": area.name if area else None,
        "outage": outage.title if outage else None,
        "callback_deadline": deadline,
        # Only messages know which time a customer was given (notifications fills it in).
        "promised_etr": None,
    }
    assert set(values) == set(placeholders.KEYS.values())
    return values
