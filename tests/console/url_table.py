"""Routes of the console app for the role walk in test_urls.py.

name -> (method, role needed or None for public, status an allowed user gets, url kwargs spec)
where the kwargs spec maps a URL kwarg to a key of ``objects()``."""

from core import roles

ROUTES = {
    "console:home": ("get", roles.AGENT, 200, {}),
    "console:live": ("get", roles.AGENT, 200, {}),
    "console:live_version": ("get", roles.AGENT, 200, {}),
    "console:suggest": ("get", roles.AGENT, 200, {}),
    "console:file_callback": ("post", roles.AGENT, 400, {}),
    "console:refund_review": ("post", roles.AGENT, 400, {}),
    "security:audit": ("get", roles.SUPERVISOR, 200, {}),
    "security:lockouts": ("get", roles.SUPERVISOR, 200, {}),
    # An empty POST names nobody to unlock: refused.
    "security:unlock": ("post", roles.SUPERVISOR, 400, {}),
    "healthz": ("get", None, 200, {}),
    "login": ("get", None, 200, {}),
    "logout": ("post", None, 302, {}),
}


def objects():
    return {}
