"""Writes from the public page: a callback request (channel ``web``), and what its signed link
allows: cancel it, or correct the number. Everything goes through the callbacks services, by
the same rules as an agent's form (one open callback per phone per outage, deadline from
restoration)."""

from django.contrib.auth import get_user_model

from callbacks import policy
from callbacks import services as callback_services
from contact import changes as contact_changes
from contact import links

from . import selectors

WEB_ACCOUNT = "web-self-service"


def web_actor():
    """The account that files and changes web requests: inactive, it never logs in."""
    user, created = get_user_model().objects.get_or_create(
        username=WEB_ACCOUNT, defaults={"first_name": "Web self-service", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def callback_link_token(callback):
    return links.token_for(callback.pk)


def callback_from_token(token):
    """The callback a signed link names (one the customer filed themselves: web or IVR); None
    when the link is forged or too old."""
    pk = links.callback_id_from(token)
    if pk is None:
        return None
    callback = selectors.callback_for_customer_link(pk)
    if callback is None or callback.channel not in links.SELF_SERVICE_CHANNELS:
        return None
    return callback


def web_callback_request(*, now, name, phone, postal_code, reason, account_number=""):
    """File the request against the outage covering the postal code's area (none known: a
    technical issue, due from filing). Returns the callbacks ``Filing``."""
    _, outage = selectors.area_and_outage_for_request(postal_code)
    customer = selectors.customer_for_request(
        account_number=account_number, postal_code=postal_code
    )
    return callback_services.callback_file(
        actor=web_actor(),
        now=now,
        outage=outage,
        customer=customer,
        name=name,
        phone=phone,
        account_number=account_number,
        call_reason=reason,
        notes=f"Requested on the status page for postal code {postal_code}.",
        channel=policy.WEB_CHANNEL,
    )


def web_callback_cancel(*, now, callback):
    return contact_changes.callback_cancel(
        callback=callback, reason="customer_asked", now=now, by_customer=True
    )


def web_callback_change_phone(*, now, callback, phone):
    return contact_changes.callback_change_phone(
        actor=web_actor(),
        now=now,
        callback=callback,
        phone=phone,
        reason="Corrected by the customer (web)",
    )
