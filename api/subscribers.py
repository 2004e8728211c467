"""The API listens to outages and callbacks: a change makes the IVR's cached area answers
stale (the version bumps) and wakes the webhook outbox. Neither is load-bearing: the cache
expires by itself and the beat schedule runs the outbox every minute."""

from django.core.cache import cache

from callbacks import events as callback_events
from core.cache import version_bump
from core.tasking import send
from outages import events as outage_events

from . import selectors, tasks

HAS_SUBSCRIPTIONS_KEY = "api:webhooks-active"


def _bump_outages_version():
    version_bump(selectors.OUTAGES_VERSION_KEY)


def _wake_outbox():
    active = cache.get(HAS_SUBSCRIPTIONS_KEY)
    if active is None:
        active = selectors.webhook_subscriptions().filter(active=True).exists()
        cache.set(HAS_SUBSCRIPTIONS_KEY, active, 60)
    if active:
        send(tasks.webhooks_run)


@outage_events.on_outage_changed
def outage_changed(*, outage_id):
    _bump_outages_version()
    _wake_outbox()


@callback_events.on_callbacks_changed
def callbacks_changed():
    _wake_outbox()
