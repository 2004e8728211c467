"""Routes of the outages app for the role walk in tests/console/test_urls.py (same format)."""

from console import roles
from tests.factories import OutageFactory, ServiceAreaFactory

ROUTES = {
    "outages:board": ("get", roles.SUPERVISOR, 200, {}),
    "outages:declare": ("get", roles.SUPERVISOR, 200, {}),
    "outages:detail": ("get", roles.SUPERVISOR, 200, {"pk": "outage"}),
    "outages:update": ("post", roles.SUPERVISOR, 400, {"pk": "outage"}),
    "outages:restore": ("post", roles.SUPERVISOR, 302, {"pk": "outage"}),
    "outages:reopen": ("post", roles.SUPERVISOR, 302, {"pk": "outage"}),
    "outages:close": ("post", roles.SUPERVISOR, 302, {"pk": "outage"}),
}


def objects():
    area = ServiceAreaFactory()
    return {"outage": OutageFactory(areas=[area]).pk, "area": area.pk}
