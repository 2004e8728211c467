"""Routes of the scripts library for the role walk in tests/console/test_urls.py (same format)."""

from console import roles

ROUTES = {
    "scripts_library:library": ("get", roles.SUPERVISOR, 200, {}),
}


def objects():
    return {}
