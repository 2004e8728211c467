"""The status page listens to outages: a change bumps the version its cached answers are
keyed by, so the next visitor sees it. The cache also expires by itself."""

from django.core.cache import cache

from outages import events

from . import selectors


@events.on_outage_changed
def outage_changed(*, outage_id):
    try:
        cache.incr(selectors.VERSION_KEY)
    except ValueError:
        cache.add(selectors.VERSION_KEY, 2, timeout=None)
