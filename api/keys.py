"""API keys and webhook signatures: how they are made, stored and checked. Pure.

A key reads ``oc_<prefix>_<secret>``. The prefix finds the row; only a SHA-256 digest of the
whole key is stored. The secret has 256 bits of randomness, so a plain digest is enough (a
slow password hash protects guessable passwords, not random keys) and checking it costs
nothing on a busy IVR line.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

IVR = "ivr"
CRM = "crm"
SCOPE_LABELS = {
    IVR: "IVR: caller status and callback requests",
    CRM: "CRM: call logs, letters, callbacks",
}
SCOPES = tuple(SCOPE_LABELS)

PREFIX_LENGTH = 8


def generate_key():
    """``(key, prefix)``: the key is shown once, then only its digest is kept."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return f"oc_{prefix}_{secrets.token_urlsafe(32)}", prefix


def key_prefix(key):
    """The prefix of a well-formed key, or None."""
    parts = (key or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "oc" or len(parts[1]) != PREFIX_LENGTH or not parts[2]:
        return None
    return parts[1]


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def matches(key, stored_digest):
    return hmac.compare_digest(digest(key), stored_digest)


# --- webhooks -------------------------------------------------------------------------------

SIGNATURE_HEADER = "X-Console-Signature"
EVENT_HEADER = "X-Console-Event"
DELIVERY_HEADER = "X-Console-Delivery"
MAX_ATTEMPTS = 8
_FIRST_RETRY = timedelta(seconds=30)
_LONGEST_WAIT = timedelta(hours=1)


def generate_secret():
    return "whsec_" + secrets.token_urlsafe(32)


def sign(*, secret, timestamp, body):
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``: the receiver recomputes it
    with the shared secret and refuses old timestamps (replays)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(*, secret, header, body, now_timestamp, tolerance=300):
    """What a receiver does (and the tests): True when the signature is right and recent."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now_timestamp - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, header)


def retry_delay(attempts):
    """Wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, ... at most an hour."""
    return min(_FIRST_RETRY * (2 ** max(attempts - 1, 0)), _LONGEST_WAIT)
