"""What notifications decide, with no database and no clock: the time is an argument.

- which events and channels exist, and which script moment words each;
- quiet hours: when an SMS may go out, and when a held one wakes up;
- whether an ETR moved far enough to tell people;
- how many SMS segments a text costs (GSM-7 or UCS-2);
- the provider's request signature (the X-Twilio-Signature scheme);
- which inbound SMS words opt out or back in.
"""

import base64
import hashlib
import hmac
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# --- events and channels ----------------------------------------------------------------------

DECLARED = "declared"
ETR_CHANGED = "etr_changed"
APOLOGY = "apology"
RESTORED = "restored"
CALLBACK_FILED = "callback_filed"
CALLBACK_ANSWERED = "callback_answered"

EVENT_LABELS = {
    DECLARED: "Outage declared",
    APOLOGY: "Promised time missed (apology)",
    ETR_CHANGED: "Restoration estimate moved",
    RESTORED: "Service restored",
    CALLBACK_FILED: "Callback filed",
    CALLBACK_ANSWERED: "Callback answered (follow-up)",
}
EVENTS = tuple(EVENT_LABELS)

SMS = "sms"
EMAIL = "email"
CHANNEL_LABELS = {SMS: "SMS", EMAIL: "Email"}
CHANNELS = tuple(CHANNEL_LABELS)

# The channels each event speaks on. A callback answered is confirmed in writing (the guides
# ask for a follow-up email), never by text.
EVENT_CHANNELS = {
    DECLARED: (SMS, EMAIL),
    APOLOGY: (SMS, EMAIL),
    ETR_CHANGED: (SMS, EMAIL),
    RESTORED: (SMS, EMAIL),
    CALLBACK_FILED: (SMS, EMAIL),
    CALLBACK_ANSWERED: (EMAIL,),
}

# Apologies go first: the customers we gave a time to hear from us before anyone else.
PRIORITY = {
    APOLOGY: 0,
    RESTORED: 1,
    CALLBACK_ANSWERED: 2,
    CALLBACK_FILED: 2,
    ETR_CHANGED: 3,
    DECLARED: 4,
}

# Messages that close a loop the customer waits for are not held back by the daily cap.
CAP_EXEMPT = frozenset({RESTORED, CALLBACK_FILED, CALLBACK_ANSWERED})


def moment_for(event, channel):
    """The scripts library moment that words ``event`` on ``channel``: 'notify_restored_sms'."""
    return f"notify_{event}_{channel}"


# --- message states -----------------------------------------------------------------------------

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
DELIVERED = "delivered"
FAILED = "failed"
OPTED_OUT = "opted_out"
CANCELLED = "cancelled"
STATUS_LABELS = {
    QUEUED: "Queued",
    SENDING: "Sending",
    SENT: "Sent",
    DELIVERED: "Delivered",
    FAILED: "Failed",
    OPTED_OUT: "Opted out",
    CANCELLED: "Cancelled",
}
# Statuses a receipt may move a message to, from the provider's words.
RECEIPT_STATUS = {
    "queued": SENT,
    "accepted": SENT,
    "sending": SENT,
    "sent": SENT,
    "delivered": DELIVERED,
    "undelivered": FAILED,
    "failed": FAILED,
}
# A receipt never moves a message backwards (a late "sent" after "delivered").
_RANK = {QUEUED: 0, SENDING: 1, SENT: 2, DELIVERED: 3, FAILED: 3}


def status_after_receipt(current, reported):
    """The message's status once the provider reports ``reported`` ('delivered', ...)."""
    target = RECEIPT_STATUS.get((reported or "").lower())
    if target is None or current not in _RANK:
        return current
    return target if _RANK[target] >= _RANK[current] else current


# --- quiet hours --------------------------------------------------------------------------------


def in_quiet_hours(*, now, zone, start, end):
    """True when ``now`` falls in [start, end) local time; the window may cross midnight."""
    local = now.astimezone(ZoneInfo(zone)).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def quiet_until(*, now, zone, start, end):
    """When an SMS asked for at ``now`` may go: ``now`` itself outside quiet hours, else the
    next ``end`` local time (an aware datetime, any zone)."""
    if not in_quiet_hours(now=now, zone=zone, start=start, end=end):
        return now
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    wake = datetime.combine(local.date(), end, tzinfo=tz)
    if wake <= local:
        wake = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=tz)
    return wake


def parse_clock(value):
    """'21:00' -> time(21, 0)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


# --- when an ETR change is news -----------------------------------------------------------------


def etr_moved_enough(*, previous, current, margin):
    """An ETR given for the first time is news; a change is news when it moves by more than
    ``margin`` either way; removing the ETR is not a message."""
    if current is None:
        return False
    if previous is None:
        return True
    return abs(current - previous) > margin


def broken_promises(*, promised, etr, now, restored):
    """The promised times (of ``promised``) that the outage has now missed: it is not restored
    and either the clock passed them or the new ETR is later than them."""
    if restored:
        return []
    return [when for when in promised if when < now or (etr is not None and etr > when)]


# --- SMS segments -------------------------------------------------------------------------------

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


GSM7 = frozenset(GSM7_BASIC | GSM7_EXTENDED)


def is_gsm7(text):
    # Set operations and str.count run in C: counted for every message of a send.
    return GSM7.issuperset(text)


def sms_segments(text):
    """``(encoding, units, segments)`` for ``text``: GSM-7 fits 160 septets in one message and
    153 per part when split (extension characters take two); anything else is UCS-2, 70
    characters in one and 67 per part (characters outside the BMP take two)."""
    if is_gsm7(text):
        units = len(text) + sum(text.count(ch) for ch in GSM7_EXTENDED)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
        single, part, encoding = 70, 67, "UCS-2"
    if units <= single:
        return encoding, units, 1 if units else 0
    return encoding, units, -(-units // part)


# Typographic characters scripts are often written with, and their GSM-7 equivalents: one
# curly quote would otherwise turn a 1-part SMS into 3 UCS-2 parts.
_GSM_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u202f": " ",
    }
)


def sms_text(text):
    """The text as it is sent by SMS: typographic punctuation folded to GSM-7, whitespace
    collapsed (SMS has no paragraphs worth their cost)."""
    return " ".join(text.translate(_GSM_FOLD).split())


# --- the provider's signature -------------------------------------------------------------------


def request_signature(*, secret, url, params):
    """Twilio's scheme: HMAC-SHA1 over the full URL followed by every POST parameter, sorted
    by name, as name then value; base64. ``params``: a mapping of str to str."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_valid(*, secret, url, params, signature):
    expected = request_signature(secret=secret, url=url, params=params)
    return hmac.compare_digest(expected, signature or "")


# --- inbound SMS keywords -----------------------------------------------------------------------

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})


def inbound_intent(body):
    """'stop', 'start' or '' for an inbound SMS body (the first word decides)."""
    words = (body or "").strip().upper().split()
    if not words:
        return ""
    if words[0] in STOP_WORDS:
        return "stop"
    if words[0] in START_WORDS:
        return "start"
    return ""
