"""Live updates of the open live-call screens, pushed: what an outage's change sends them.

When an outage changes (``outages.events.on_outage_changed``, after commit), the process that
made the change renders the event ONCE (status, cause, ETR in words and time, latest update,
with the same template fragments the banner uses) and publishes it on one Redis channel with
the areas it concerns. Each events process (``console.asgi`` on uvicorn, see
``console/live_hub.py``) holds one subscription to that channel and writes the event to the
open screens of those areas; the page's script puts the new values in the marked elements and
refreshes the whole region later, spread over a minute, to reconcile.

Nothing here is load-bearing: a screen that misses an event (no events process, Redis down)
still has the version check (``console.views.live_version``) and the minute's full refresh.
"""

import json
import logging
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from outages import lifecycle
from outages.models import Outage, OutageUpdate

logger = logging.getLogger(__name__)

# Pub/sub channels are one namespace for the whole Redis server, whatever the database number:
# the channel carries the number, so consoles (or test runs) sharing a server on different
# databases never hear each other's outages.
CHANNEL_PREFIX = "console:live-outages"
# The script cards show an ETR in this format (``scripts_library.context``): the page finds the
# old value there and puts the new one in.
SCRIPT_TIME_FORMAT = "D j M, g:i A"

_clients = {}


def redis_url():
    """Where the events go: ``CONSOLE_LIVE_EVENTS_REDIS_URL`` (default: the broker, when it is
    Redis). Empty (``make run``: filesystem broker): nothing is pushed, screens check versions."""
    return getattr(settings, "CONSOLE_LIVE_EVENTS_REDIS_URL", "")


def enabled():
    return bool(redis_url())


def channel(url=None):
    """The pub/sub channel of the events on ``url`` (default: ``redis_url()``)."""
    database = urlsplit(url if url is not None else redis_url()).path.strip("/") or "0"
    return f"{CHANNEL_PREFIX}:{database}"


def _client(url):
    client = _clients.get(url)
    if client is None:
        # Short timeouts: a supervisor's change never waits long on a Redis that is away.
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        _clients[url] = client
    return client


def outage_event(outage, *, latest_update, now):
    """The event every screen showing ``outage`` gets, whatever its customer: rendered once."""
    context = {"outage": outage, "last": latest_update, "now": now}
    return {
        "outage": outage.pk,
        "title": outage.title,
        "status": outage.status,
        "status_label": outage.get_status_display(),
        "open": outage.status in lifecycle.OPEN_STATUSES,
        "cause": outage.cause,
        "etr": outage.etr.isoformat() if outage.etr else None,
        "etr_script": (
            date_format(timezone.localtime(outage.etr), SCRIPT_TIME_FORMAT) if outage.etr else None
        ),
        "etr_html": render_to_string("console/_outage_etr.html", context).strip(),
        "last_update_html": (
            render_to_string("console/_outage_last_update.html", context).strip()
            if latest_update
            else ""
        ),
    }


def outage_message(outage_id, *, now):
    """What is published for one change: the areas it concerns (``None``: every area) and the
    event. ``None`` when the outage is gone."""
    outage = Outage.objects.filter(pk=outage_id).first()
    if outage is None:
        return None
    latest = OutageUpdate.objects.filter(outage=outage).order_by("-at", "-id").first()
    areas = None if outage.all_areas else sorted(outage.areas.values_list("id", flat=True))
    return {"areas": areas, "event": outage_event(outage, latest_update=latest, now=now)}


def publish_outage_changed(*, outage_id):
    """After commit: tell every events process. A Redis that is away costs a warning, never
    the supervisor's change (the screens' version check brings it anyway)."""
    url = redis_url()
    if not url:
        return
    message = outage_message(outage_id, now=timezone.now())
    if message is None:
        return
    try:
        _client(url).publish(channel(url), json.dumps(message, separators=(",", ":")))
    except redis.RedisError as exc:
        logger.warning("Live event for outage %s not published: %s", outage_id, exc)
