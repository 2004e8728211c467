"""Routes of the callbacks app for the role walk in tests/console/test_urls.py (same format)."""

from console import roles
from tests.factories import CallbackFactory

ROUTES = {
    "callbacks:queue": ("get", roles.AGENT, 200, {}),
}


def objects():
    return {"callback": CallbackFactory().pk}
