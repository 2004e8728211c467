"""``GET /api/v1/ivr/status`` answered by the events process (``console.asgi``, uvicorn) in
front of Django: the IVR's question when an outage starts and a thousand callers a second ring.

Why not the DRF view: on gunicorn each answer is a whole Django request (the middleware, DRF's
request, negotiation, authentication, permission, throttle) in a worker's thread, several times
the work of the answer itself: a check of the key against this process's memory, one Redis
round trip (the key's rate-limit count and the outages' version) and one small SQL statement.
Here the event loop answers many calls at once, each doing only that work.

It answers as the DRF view (``api.views.ivr_status``) does, which still answers the path
wherever the events process does not (gunicorn, ``make run``), because it is made of the same
parts: the query's serializer and the problem bodies (``api.exceptions``), the key check and
its per-process memo (``services.api_key_remembered``, else ``api_key_authenticate``, which
also records the key's time of use at most once a minute), the scope check, the rate-limit
counter and limit (``ApiKeyThrottle``; ``core.cache.COUNT_HIT_SCRIPT`` counts on the same key),
the area's answer under the outages' version (``selectors.area_status``), the body
(``api.ivr``) and its JSON (DRF's renderer), and the headers DRF and Django's middleware put on
the view's answers (taken from them, ``_fixed_headers``). Only the caller's read differs: one
statement (``selectors.caller_statement``) on an async connection pool, where the ORM makes two
queries. The tests hold the two to the same answers.

What it could not answer exactly as Django would goes on to Django: another method, a host not
in ``ALLOWED_HOSTS``, plain HTTP where HTTPS is required, a ``format`` parameter or an Accept
header other than JSON, and every request of a process without PostgreSQL and the Redis cache
(the counters and versions must be the ones the web processes share).
"""

import asyncio
import io
import logging
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import NamedTuple

from asgiref.sync import sync_to_async
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.core.signals import setting_changed
from django.db import close_old_connections, connections
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import reverse
from django.utils import timezone
from psycopg_pool import AsyncConnectionPool
from redis import asyncio as aioredis
from rest_framework import exceptions as drf
from rest_framework.renderers import JSONRenderer

from core import jsonlog
from core.cache import COUNT_HIT_SCRIPT
from core.middleware import PrivateCacheMiddleware, log_request, request_id_for
from outages.models import ServiceArea
from outages.normalise import InvalidPhone

from . import authentication, exceptions, ivr, keys, selectors, serializers, services, views
from .authentication import ApiKeyThrottle
from .metrics import IVR_ANSWERS

# Connections to PostgreSQL for the statement: enough for the calls in flight at once on one
# process (a statement takes a fraction of a millisecond), few against max_connections.
logger = logging.getLogger(__name__)

POOL_SIZE = 4
REDIS_CONNECTIONS = 16
ORM_THREADS = 4
JSON_ACCEPTS = frozenset({"", "*/*", "application/json", "application/*"})
RENDERER = JSONRenderer()
QUERY = serializers.IvrStatusQuerySerializer()


class Connections:
    """The process's PostgreSQL pool and Redis client, made in the event loop that uses them
    (uvicorn runs one; the tests one per test), and the rare steps through the ORM."""

    def __init__(self):
        self._loop = None
        self._opening = None
        self._redis = None
        self._count_hit = None
        self._running = {}

    def _in_this_loop(self):
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._opening, self._redis, self._running = loop, None, None, {}

    async def pool(self):
        self._in_this_loop()
        if self._opening is None:
            self._opening = asyncio.ensure_future(_open_pool())
        return await self._opening

    def redis(self):
        self._in_this_loop()
        if self._redis is None:
            # The cache's first server takes the writes (Django's Redis backend does the same).
            location = settings.CACHES["default"]["LOCATION"].replace(";", ",").split(",")[0]
            # A call in flight holds a connection for its round trip; more calls than
            # connections wait their turn rather than fail.
            pool = aioredis.BlockingConnectionPool.from_url(
                location, max_connections=REDIS_CONNECTIONS, timeout=10
            )
            self._redis = aioredis.Redis(connection_pool=pool)
            self._count_hit = self._redis.register_script(COUNT_HIT_SCRIPT)
        return self._redis

    async def count_hit(self, *, counter, read, window_seconds):
        """``core.cache.count_hit`` on ``counter``, and the value at ``read``: one round trip."""
        self.redis()
        return await self._count_hit(keys=[counter, read], args=[window_seconds])

    async def in_thread_once(self, once, function, *args, **kwargs):
        """``function`` on a thread for the ORM; calls with the same ``once`` at once share one
        run (a storm's first calls from one area wait for one reading of its answer)."""
        self._in_this_loop()
        running = self._running.get(once)
        if running is None:
            running = asyncio.ensure_future(_in_thread(function, *args, **kwargs))
            self._running[once] = running
            running.add_done_callback(lambda done: self._running.pop(once, None))
        return await asyncio.shield(running)  # a caller that leaves does not stop the others

    async def close(self):
        """Close the pool and the client (the process is stopping; tests)."""
        opening, client = self._opening, self._redis
        self._loop, self._opening, self._redis = None, None, None
        if opening is not None:
            await (await opening).close()
        if client is not None:
            await client.aclose()


async def _open_pool():
    params = connections["default"].get_connection_params()
    for django_only in ("cursor_factory", "context"):
        params.pop(django_only, None)
    # One statement a call, nothing to commit: autocommit saves the BEGIN and COMMIT round trips.
    params["autocommit"] = True
    pool = AsyncConnectionPool(
        kwargs=params, min_size=1, max_size=POOL_SIZE, open=False, name="ivr-status"
    )
    await pool.open()
    return pool


CONNECTIONS = Connections()


class CallerRow(NamedTuple):
    matched_by: str
    area_id: int | None
    area_code: str
    area_name: str
    area_region: str
    callbacks: list  # of ivr.OpenCallback, newest first

    def area(self):
        if self.area_id is None:
            return None
        return ServiceArea(
            id=self.area_id, code=self.area_code, name=self.area_name, region=self.area_region
        )


def enabled():
    """Only on PostgreSQL and with the shared Redis cache (never in ``make run``)."""
    return settings.IS_POSTGRES and isinstance(caches["default"], RedisCache)


def answered_here(request):
    """Whether this endpoint answers ``request`` exactly as Django would; else Django does."""
    if request.method != "GET" or not enabled():
        return False
    try:
        request.get_host()  # ALLOWED_HOSTS: Django answers 400 itself
    except DisallowedHost:
        return False
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return False  # Django redirects to HTTPS
    return "format" not in request.GET and request.headers.get("Accept", "") in JSON_ACCEPTS


class AnswerCounts:
    """How many answers this process gave, by status, for ``/metrics`` (``api.metrics``): kept
    in memory and added to the metrics' Redis hash at most once a second, so counting costs a
    call no round trip. A count that cannot be written is logged and dropped (the last second
    of a process that dies is lost); it never fails an answer."""

    FLUSH_SECONDS = 1.0

    def __init__(self):
        self._counts = Counter()
        self._flushed_at = time.monotonic()
        self._flushing = None
        self._client = None
        self._loop = None

    def count(self, status):
        if not settings.METRICS_REDIS_URL:
            return
        self._counts[str(status)] += 1
        idle = self._flushing is None or self._flushing.done()
        if idle and time.monotonic() - self._flushed_at >= self.FLUSH_SECONDS:
            self._flushing = asyncio.ensure_future(self.flush())

    async def flush(self):
        """Add what was counted since the last flush to the Redis hash. Counts leave memory
        once written (or once Redis refused them); a flush cut short keeps them for the next."""
        counts = Counter(self._counts)
        self._flushed_at = time.monotonic()
        try:
            if counts:
                pipe = self._redis().pipeline(transaction=False)
                for status, count in counts.items():
                    pipe.hincrby(IVR_ANSWERS, status, count)
                await pipe.execute()
        except aioredis.RedisError as exc:
            logger.warning("IVR answer counts not recorded: %s", exc)
        self._counts.subtract(counts)
        self._counts = +self._counts  # drops the statuses now at zero

    def _redis(self):
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = aioredis.Redis.from_url(
                settings.METRICS_REDIS_URL, socket_timeout=1, socket_connect_timeout=1
            )
            self._loop = loop
        return self._client


ANSWERS = AnswerCounts()


async def respond(scope, receive, send, *, django):
    request = ASGIRequest(scope, io.BytesIO())
    if not answered_here(request):
        return await django(scope, receive, send)
    started = time.monotonic()
    request_id = request_id_for(request.headers.get("X-Request-ID", ""))
    context = jsonlog.request_context.set((request_id, ""))
    try:
        status, data, extra = await status_answer(request, now=timezone.now())
        body = RENDERER.render(data)
        headers = [
            *_fixed_headers(request.is_secure()),
            *extra,
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        log_request(request.method, request.path, status, started=started)
        ANSWERS.count(status)
    finally:
        jsonlog.request_context.reset(context)


async def status_answer(request, *, now):
    """``(status, data, extra headers)`` as the DRF view answers ``request``, in its order:
    the key, its scope, its rate limit, the query, then the answer."""
    try:
        api_key = await _api_key(request, now=now)
        refusal = authentication.scope_refusal(api_key, keys.IVR)
        if refusal is not None:
            raise drf.PermissionDenied(refusal)
        version = await _count_and_read_version(api_key)
        # As ``is_valid(raise_exception=True)`` on a new serializer, which would deep-copy its
        # fields on every call: the ValidationError carries the same errors.
        query = QUERY.run_validation(request.GET)
        try:
            lookup = selectors.caller_query(**query)
        except InvalidPhone as exc:
            return 400, {"detail": str(exc)}, ()
        caller = await _read_caller(lookup)
        area = await _area_status(caller, version=version, now=now)
        callback = ivr.choose_open_callback(caller.callbacks, outage_id=area.outage_id)
        data = ivr.status_answer(
            matched_by=caller.matched_by, area=area, callback=callback, now=now
        )
        return 200, data, ()
    except drf.APIException as exc:
        return _problem(exc)


async def _api_key(request, *, now):
    key = authentication.key_from_headers(request.headers)
    if not key:
        raise drf.NotAuthenticated(authentication.NO_KEY)
    api_key = services.api_key_remembered(key=key, now=now)
    if api_key is None:
        api_key = await CONNECTIONS.in_thread_once(
            ("key", key), services.api_key_authenticate, key=key, now=now
        )
        if api_key is None:
            raise drf.AuthenticationFailed(authentication.BAD_KEY)
    jsonlog.request_context.set((jsonlog.request_context.get()[0], api_key.user.username))
    return api_key


async def _count_and_read_version(api_key):
    """Count the request on the key's rate limit and read the outages' version: one Redis
    round trip. Raises ``Throttled`` past the limit."""
    throttle = ApiKeyThrottle()
    if throttle.rate is None:
        version = await CONNECTIONS.redis().get(_version_key())
    else:
        hits, version = await CONNECTIONS.count_hit(
            counter=cache.make_and_validate_key(throttle.key_counter(api_key.pk)),
            read=_version_key(),
            window_seconds=throttle.duration,
        )
        if not throttle.allows(hits):
            raise drf.Throttled(wait=throttle.wait())
    if version is None:  # a flushed cache: start the version as the web processes do
        return await CONNECTIONS.in_thread_once("version", selectors.outages_version)
    return int(version)


@lru_cache(maxsize=1)
def _version_key():
    return cache.make_and_validate_key(selectors.OUTAGES_VERSION_KEY)


async def _read_caller(lookup):
    pool = await CONNECTIONS.pool()
    async with pool.connection() as connection:
        # Prepared once per connection: planning it would cost PostgreSQL several times what
        # running it does. The pool's connections take Django's prepare_threshold, so with
        # DATABASE_PREPARED_STATEMENTS off nothing is prepared.
        cursor = await connection.execute(
            _statement(),
            {
                "account": lookup.account_number or None,
                "phone": lookup.phone or None,
                "postal": lookup.postal_code or None,
            },
            prepare=True,
        )
        matched_by, area_id, code, name, region, *callbacks = await cursor.fetchone()
    return CallerRow(
        matched_by=matched_by or "none",
        area_id=area_id,
        area_code=code,
        area_name=name,
        area_region=region,
        callbacks=[ivr.OpenCallback(*fields) for fields in zip(*callbacks, strict=True)]
        if callbacks[0]
        else [],
    )


@lru_cache(maxsize=1)
def _statement():
    return selectors.caller_statement()


async def _area_status(caller, *, version, now):
    status = selectors.area_status_remembered(caller.area_id, version)
    if status is None:  # not read by this process lately: the shared cache, or the database
        status = await CONNECTIONS.in_thread_once(
            ("area", caller.area_id, version),
            selectors.area_status,
            caller.area(),
            now=now,
            version=version,
        )
    return status


def _problem(exc):
    """A refusal as the DRF view answers it: the project's exception handler's body, and the
    headers DRF adds (``WWW-Authenticate`` on a 401, ``Retry-After`` on a 429)."""
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        exc.auth_header = authentication.AUTHENTICATE_HEADER  # as DRF's APIView does
    response = exceptions.handler(exc, {})
    extra = [
        (name.lower().encode(), response.headers[name].encode())
        for name in ("WWW-Authenticate", "Retry-After")
        if name in response.headers
    ]
    return response.status_code, response.data, extra


def _in_thread_with_connection(function, *args, **kwargs):
    # As around a Django request: a connection past its age or broken is replaced.
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


# The rare steps through the ORM run on threads of their own: a few Django connections for
# them in the process (kept as CONN_MAX_AGE says), however many calls are in flight.
_ORM_THREADS = ThreadPoolExecutor(max_workers=ORM_THREADS, thread_name_prefix="ivr-status-orm")


async def _in_thread(function, *args, **kwargs):
    """The rare step that goes through the ORM (a key not checked lately, an area not read
    lately), off the event loop."""
    run = sync_to_async(_in_thread_with_connection, thread_sensitive=False, executor=_ORM_THREADS)
    return await run(function, *args, **kwargs)


@lru_cache(maxsize=2)
def _fixed_headers(secure):
    """The headers DRF and Django's middleware put on every answer of the view, taken from them
    once per process: DRF's ``Allow``, then a blank JSON answer through the response side of
    the middleware that sets headers on an API answer (HSTS goes on HTTPS answers only). The
    request id, the length and the refusals' headers are added per answer."""
    request = ASGIRequest(_blank_scope(secure), io.BytesIO())

    def unused(request):
        raise AssertionError("only the response side runs")

    response = HttpResponse(content_type="application/json")
    for name, value in views.ivr_status.cls().default_response_headers.items():
        response[name] = value
    for middleware in (SecurityMiddleware, XFrameOptionsMiddleware, CSPMiddleware):
        response = middleware(unused).process_response(request, response)
    response = PrivateCacheMiddleware(lambda request: response)(request)
    return tuple((name.lower().encode(), value.encode()) for name, value in response.items())


def _blank_scope(secure):
    return {
        "type": "http",
        "method": "GET",
        "path": reverse("api:ivr_status"),
        "query_string": b"",
        "headers": [],
        "scheme": "https" if secure else "http",
    }


@receiver(setting_changed)
def _settings_changed(**kwargs):
    # The tests change settings; production never does.
    _fixed_headers.cache_clear()
    _version_key.cache_clear()


def with_ivr_status(django_application):
    """``django_application`` with ``GET /api/v1/ivr/status`` answered by ``respond``."""
    status_path = None

    async def application(scope, receive, send):
        nonlocal status_path
        if status_path is None:
            status_path = reverse("api:ivr_status")
        if scope["type"] == "http" and scope["path"] == status_path:
            return await respond(scope, receive, send, django=django_application)
        return await django_application(scope, receive, send)

    return application
