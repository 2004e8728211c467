"""Routes of the console app for the role walk in test_urls.py.

name -> (method, role needed or None for public, status an allowed user gets, url kwargs spec)
where the kwargs spec maps a URL kwarg to a key of ``objects()``."""

from core import roles

ROUTES = {
    "console:home": ("get", roles.AGENT, 200, {}),
    "console:live": ("get", roles.AGENT, 200, {}),
    # Public on purpose: an opaque version token per area, checked every second by open
    # screens without reading a session (the refresh it triggers checks the role).
    "console:live_version": ("get", None, 200, {}),
    # The pushed updates: a stream on the events process (ASGI); elsewhere, as here, 204.
    "console:live_events": ("get", roles.AGENT, 204, {}),
    "console:suggest": ("get", roles.AGENT, 200, {}),
    "console:file_callback": ("post", roles.AGENT, 400, {}),
    # No call named: the blank form for a caller typed in by hand.
    "console:callback_form": ("get", roles.AGENT, 200, {}),
    "console:refund_review": ("post", roles.AGENT, 400, {}),
    # The walk's user did not take the call: 404 (only the agent who took it may note it).
    "console:inbound_note": ("post", roles.AGENT, 404, {"pk": "inbound_call"}),
    "security:audit": ("get", roles.SUPERVISOR, 200, {}),
    "security:lockouts": ("get", roles.SUPERVISOR, 200, {}),
    # An empty POST names nobody to unlock: refused.
    "security:unlock": ("post", roles.SUPERVISOR, 400, {}),
    "healthz": ("get", None, 200, {}),
    "metrics": ("get", None, 403, {}),  # a bearer token or an allowed network, not a login
    "login": ("get", None, 200, {}),
    "logout": ("post", None, 302, {}),
}


def objects():
    from django.utils import timezone

    from contact.models import InboundCall
    from tests.factories import CustomerFactory

    call = InboundCall.objects.create(customer=CustomerFactory(), at=timezone.now())
    return {"inbound_call": call.pk}
