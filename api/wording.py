"""What the IVR says, in words a speech engine reads well. Pure: times come in already in the
business's zone, with ``now`` in the same zone."""

from datetime import datetime, timedelta

# Where a script's placeholder has no value, the IVR says something true rather than a gap.
SPOKEN_GAPS = {
    "customer_name": "",
    "agent_name": "our team",
    "call_reason": "your request",
    "item": "your service",
    "cause": "still being investigated",
    "etr": "a time we will confirm as soon as we know it",
    "area": "your area",
    "outage": "a service outage",
    "callback_deadline": "as soon as we can",
}


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{hour} {suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d} {suffix}"


def time_in_words(moment: datetime, *, now: datetime) -> str:
    """'today at 6:30 PM', 'tomorrow at 9 AM', 'Monday 23 November at 6:30 PM'."""
    if moment.tzinfo is None or now.tzinfo is None:
        raise ValueError("aware datetimes only")
    days = (moment.date() - now.date()).days
    if days == 0:
        day = "today"
    elif days == 1:
        day = "tomorrow"
    elif days == -1:
        day = "yesterday"
    else:
        day = f"{moment:%A} {moment.day} {moment:%B}"
    return f"{day} at {_clock(moment)}"


def hours_in_words(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"


def expected_callback(*, due_at: datetime | None, now: datetime, target: timedelta) -> str:
    """When the customer can expect the call, as a phrase with its preposition."""
    if due_at is not None:
        return f"by {time_in_words(due_at, now=now)}"
    return f"within {hours_in_words(target)} of the service being restored"


def phone_ending(phone: str) -> str:
    """'ending in 0 1 2 3': enough for the caller to recognise the number, read digit by digit."""
    digits = [c for c in phone if c.isdigit()][-4:]
    return "ending in " + " ".join(digits)


def confirmation(*, merged: bool, phone: str, expected: str) -> str:
    """Read back to the caller once the callback request is recorded."""
    if merged:
        start = (
            "You already have a callback request with us for this outage; "
            "we have added this call to it."
        )
    else:
        start = "Your callback request is recorded."
    return f"{start} We will call you on the number {phone_ending(phone)}, {expected}. Thank you."


def no_callbacks_offered() -> str:
    return (
        "We are not taking callback requests for this outage. We will update this message as "
        "soon as we know more. Thank you for your patience."
    )
