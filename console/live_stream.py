"""The events process's stream: ``/call/live/events/?area=...`` as server-sent events, answered
by a small ASGI endpoint in front of Django (``console.asgi``).

Why not a Django view: a streaming response holds its request open for hours, and Django's
ASGI handler gives every request its own thread for the synchronous middleware (and with it
its own database connection) for as long as the request lasts; 2,000 open screens would hold
2,000 threads and exhaust PostgreSQL's connections. Here a stream costs one small queue and
no thread: the session and role are checked once, with Django's own session and auth code, in
the shared thread pool (the database connection is closed straight after), then the endpoint
only waits on its queue (``console.live_hub``) and on the browser leaving.

What a stream carries is the same for every screen of an outage (status, cause, ETR, latest
update): nothing about a customer. Only agents (and the roles above) get one; anyone else gets
403, and the browser stops asking (the page then checks its version, see ``live_version``).
"""

import asyncio
import contextlib
import io
from importlib import import_module

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connection
from django.http import HttpRequest
from django.urls import reverse

from core.roles import AGENT, has_role
from core.validation import parse_id

from . import live_events, live_hub

KEEPALIVE_SECONDS = 25
OPENING = b"retry: 5000\n: open\n\n"  # reconnect after 5 s if the stream drops
KEEPALIVE = b": keep-alive\n\n"  # proxies keep the connection; a dead client shows
HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),  # a buffering proxy would hold the events back
    (b"x-content-type-options", b"nosniff"),
]


def path():
    return reverse("console:live_events")


def is_agent(session_key):
    """Whether the session belongs to an agent (or a higher role): Django's own session store
    and ``auth.get_user`` (so an expired session or a changed password is refused)."""
    if not session_key:
        return False
    close_old_connections()
    try:
        request = HttpRequest()
        request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        return has_role(auth.get_user(request), AGENT)
    finally:
        connection.close()  # the process holds no database connection while it waits


async def _respond(send, status):
    await send({"type": "http.response.start", "status": status, "headers": HEADERS[1:]})
    await send({"type": "http.response.body", "body": b""})


async def _disconnected(receive):
    while (await receive())["type"] != "http.disconnect":
        pass


async def stream(scope, receive, send):
    request = ASGIRequest(scope, io.BytesIO())
    try:
        request.get_host()  # ALLOWED_HOSTS, as for every page
    except DisallowedHost:
        return await _respond(send, 400)
    if request.method != "GET":
        return await _respond(send, 405)
    if not live_events.enabled():
        return await _respond(send, 204)
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not await sync_to_async(is_agent, thread_sensitive=False)(session_key):
        return await _respond(send, 403)
    area_id = parse_id(request.GET.get("area", ""))
    queue = await live_hub.HUB.join(area_id)
    leaving = asyncio.ensure_future(_disconnected(receive))
    try:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": OPENING, "more_body": True})
        while not leaving.done():
            getting = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait(
                {getting, leaving}, timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if getting in done:
                chunk = getting.result()
            else:
                getting.cancel()
                if leaving.done():
                    break
                chunk = KEEPALIVE
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except OSError:
        pass  # the browser left while we wrote
    finally:
        live_hub.HUB.leave(area_id, queue)
        leaving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await leaving


def with_events(django_application):
    """``django_application`` with the stream's path answered by ``stream``."""
    events_path = None

    async def application(scope, receive, send):
        nonlocal events_path
        if events_path is None:
            events_path = path()
        if scope["type"] == "http" and scope["path"] == events_path:
            return await stream(scope, receive, send)
        return await django_application(scope, receive, send)

    return application
