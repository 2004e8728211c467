"""Routes of the notifications app for the role walk in tests/console/test_urls.py."""

from core import roles
from notifications import tokens
from notifications.models import Notice
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory

ROUTES = {
    "notifications:sends": ("get", roles.SUPERVISOR, 200, {}),
    "notifications:notice_pause": ("post", roles.SUPERVISOR, 302, {"pk": "notice"}),
    "notifications:notice_resume": ("post", roles.SUPERVISOR, 302, {"pk": "notice"}),
    "notifications:notice_cancel": ("post", roles.SUPERVISOR, 302, {"pk": "notice"}),
    "notifications:reach": ("get", roles.SUPERVISOR, 200, {}),
    "notifications:outage_panel": ("get", roles.SUPERVISOR, 200, {"pk": "outage"}),
    "notifications:outage_notify": ("get", roles.SUPERVISOR, 200, {"pk": "outage"}),
    "notifications:customer_messages": ("get", roles.AGENT, 200, {"pk": "customer"}),
    # Public: no login (links in messages).
    "notifications:unsubscribe": ("get", None, 200, {"token": "optout_token"}),
    "notifications:confirm": ("get", None, 200, {"token": "confirm_token"}),
    # The provider's webhooks: no login, a signature instead (none here: refused).
    "notifications:sms_status": ("post", None, 403, {}),
    "notifications:sms_inbound": ("post", None, 403, {}),
}


def objects():
    area = ServiceAreaFactory()
    outage = OutageFactory(areas=[area])
    customer = CustomerFactory(area=area)
    notice = Notice.objects.create(
        event="declared", key=f"outage:{outage.pk}", outage=outage, created_at=outage.started_at
    )
    return {
        "notice": notice.pk,
        "customer": customer.pk,
        "optout_token": tokens.optout_token(channel="sms", address=customer.phone),
        "confirm_token": tokens.confirm_token(12345),
    }
