"""Routes of the workload pages (callbacks.workload_urls) for the role walk (same format)."""

ROUTES = {}


def objects():
    return {}
