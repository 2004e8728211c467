"""The words of a message: the live script for the event's moment and channel, filled with the
event's values and the recipient's name, plus the opt-out line every message carries."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from contact import links
from scripts_library import placeholders
from scripts_library.context import callback_deadline, placeholder_values
from scripts_library.selectors import script_choices_for_call

from . import conf, rules, tokens

# What a customer reads where a call script would show the agent a gap.
FALLBACKS = {
    "customer_name": "there",
    "etr": "as soon as we can confirm a time",
    "cause": "under investigation",
    "area": "your area",
    "outage": "the outage in your area",
    "call_reason": "your request",
    "item": "your service",
    "promised_etr": "the time we gave you",
}
SMS_STOP = "Reply STOP to opt out."
# After the script's words on a "callback filed" message the customer filed themselves.
SELF_SERVICE_EMAIL = "Cancel the request or change the number we call: {link}"
SELF_SERVICE_SMS = "Cancel or change number: {link}"


def _local(dt):
    return date_format(timezone.localtime(dt), "D j M, g:i A")


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str
    segments: int
    encoding: str
    units: int
    version: int | None


def base_values(*, now, notice, outage=None, callback=None):
    """The values shared by every recipient of ``notice``."""
    values = placeholder_values(now=now, outage=outage, callback=callback)
    if callback is not None:
        values["callback_deadline"] = callback_deadline(now=now, outage=outage, callback=callback)
    if outage is not None and not outage.all_areas and values["area"] is None:
        names = sorted(outage.areas.values_list("name", flat=True))
        values["area"] = names[0] if len(names) == 1 else None
    if notice.promised_etr is not None:
        values["promised_etr"] = _local(notice.promised_etr)
    if callback is not None and notice.event == rules.CALLBACK_FILED:
        path = links.self_service_path(callback)
        if path:
            values["self_service_link"] = conf.public_url(path)
    return values


def scripts_for(*, event, outage=None, language="en"):
    """``{channel: Choice}`` of the live wording for ``event``."""
    wanted = [rules.moment_for(event, channel) for channel in rules.EVENT_CHANNELS[event]]
    choices = script_choices_for_call(wanted=wanted, outage=outage, language=language)
    return {
        channel: choices.get(rules.moment_for(event, channel))
        for channel in rules.EVENT_CHANNELS[event]
    }


def unsubscribe_url(*, channel, address, customer_id=None):
    token = tokens.optout_token(channel=channel, address=address, customer_id=customer_id)
    return conf.public_url(reverse("notifications:unsubscribe", args=[token]))


def compose(*, choice, channel, values, name=None, address="", customer_id=None, area=None):
    """The message for one recipient (``area``: their own area's name, when known)."""
    filled = dict(values)
    filled["customer_name"] = name or None
    if area:
        filled["area"] = area
    for key, fallback in FALLBACKS.items():
        if not filled.get(key):
            filled[key] = fallback
    body = choice.body if choice is not None else "<Brand>: <Outage>. <ETR>."
    text = placeholders.render_plain(body, filled)
    subject = ""
    if channel == rules.EMAIL:
        first, _, rest = text.partition("\n")
        if first.lower().startswith("subject:"):
            subject, text = first[len("subject:") :].strip(), rest.lstrip("\n")
        else:
            subject = f"{filled['brand']}: {filled['outage']}"
        if filled.get("self_service_link"):
            own = SELF_SERVICE_EMAIL.format(link=filled["self_service_link"])
            text = f"{text.rstrip()}\n\n{own}"
        link = unsubscribe_url(channel=channel, address=address, customer_id=customer_id)
        text = (
            f"{text.rstrip()}\n\n--\nYou receive this because {address} is on file for service "
            f"in {filled['area']}.\nStop these emails: {link}\n"
        )
        return Composed(subject, text, 0, "", len(text), choice.version if choice else None)
    if filled.get("self_service_link"):
        text = f"{text.rstrip()} {SELF_SERVICE_SMS.format(link=filled['self_service_link'])}"
    text = rules.sms_text(text)
    if SMS_STOP not in text:
        text = f"{text} {SMS_STOP}"
    encoding, units, segments = rules.sms_segments(text)
    return Composed("", text, segments, encoding, units, choice.version if choice else None)
