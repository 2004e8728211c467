"""The customer's signed self-service link to a callback they asked for themselves (on the
public status page or through the IVR): cancel it, or correct the number to call.

Signing lives here, below both the page that serves the link (statuspage) and the message
that carries it (notifications), so neither imports the other. The link's page is
``statuspage:callback``; without the status page installed there is no link."""

from django.core import signing
from django.urls import NoReverseMatch, reverse

from callbacks import policy

# The salt the status page's links were first signed with: links already sent stay valid.
SALT = "statuspage.callback-link"
MAX_AGE = 60 * 60 * 24 * 30  # seconds: a month, longer than any callback stays open
# Callbacks the customer filed without an agent: theirs to cancel or correct.
SELF_SERVICE_CHANNELS = (policy.WEB_CHANNEL, policy.IVR_CHANNEL)
PAGE = "statuspage:callback"


def token_for(callback_id):
    return signing.dumps({"c": callback_id}, salt=SALT, compress=True)


def callback_id_from(token):
    """The callback id a signed token names; None when forged or too old."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        return None
    return data["c"]


def self_service_path(callback):
    """The path of the callback's self-service page, or "" when it has none (filed by an
    agent or another system, or no status page)."""
    if callback.channel not in SELF_SERVICE_CHANNELS:
        return ""
    try:
        return reverse(PAGE, kwargs={"token": token_for(callback.pk)})
    except NoReverseMatch:
        return ""
