"""Signed tokens for the links in messages: opt-out and subscription confirmation. They carry
the address and channel, so the link works without a login and cannot be forged."""

from django.core import signing

_OPTOUT = "notifications.optout"
_CONFIRM = "notifications.subscription"


def optout_token(*, channel, address, customer_id=None):
    return signing.dumps({"c": channel, "a": address, "u": customer_id}, salt=_OPTOUT)


def optout_read(token):
    """``(channel, address, customer_id)``; ``signing.BadSignature`` when forged."""
    data = signing.loads(token, salt=_OPTOUT)
    return data["c"], data["a"], data.get("u")


def confirm_token(subscription_id):
    return signing.dumps(subscription_id, salt=_CONFIRM)


def confirm_read(token, *, max_age):
    return signing.loads(token, salt=_CONFIRM, max_age=max_age)
