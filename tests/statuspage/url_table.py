"""Routes of the public status page for the role walk: every user gets the same answer."""

from django.utils import timezone

from statuspage import services
from tests.factories import CoverageFactory

ROUTES = {
    "statuspage:index": ("get", None, 200, {}),
    "statuspage:lookup": ("get", None, 400, {}),
    "statuspage:history": ("get", None, 200, {}),
    "statuspage:subscribe": ("get", None, 200, {}),
    "statuspage:callback_request": ("get", None, 200, {}),
    "statuspage:callback": ("get", None, 200, {"token": "web_token"}),
    "statuspage:callback_cancel": ("post", None, 302, {"token": "web_token"}),
    "statuspage:callback_change_phone": ("post", None, 400, {"token": "web_token"}),
}


def objects():
    coverage = CoverageFactory()
    filing = services.web_callback_request(
        now=timezone.now(),
        name="Web Visitor",
        phone="+12025550177",
        postal_code=coverage.postal_code,
        reason="No internet",
    )
    return {"web_token": services.callback_link_token(filing.callback)}
