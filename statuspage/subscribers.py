"""The status page listens to outages: a change bumps the version its cached answers are
keyed by, so the next visitor sees it. The cache also expires by itself."""

from core.cache import version_bump
from outages import events

from . import selectors


@events.on_outage_changed
def outage_changed(*, outage_id):
    version_bump(selectors.VERSION_KEY)
