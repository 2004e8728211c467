"""The IVR's status question answered by the events process (``api.ivr_asgi``, reached through
``console.asgi.application`` as uvicorn hands requests to it) gives the DRF view's answers:
the same status, body and headers for the same request on the same data. Both run here on
PostgreSQL and the shared Redis cache, as in production; the fast path reads on its own
connections, so the tests commit their rows (transactional)."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import redis
import time_machine
from asgiref.sync import async_to_sync
from django.db import connection
from django.urls import reverse

from api import ivr_asgi, selectors, services
from api.authentication import ApiKeyThrottle
from api.metrics import IVR_ANSWERS
from api.models import ApiKey
from callbacks import policy
from console import asgi
from outages import services as outage_services
from tests.api.conftest import bearer
from tests.factories import CallbackFactory, CoverageFactory, CustomerFactory, ServiceAreaFactory

from ..conftest import REQUIRE_SERVICES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 10:00 in New York
PATH = "/api/v1/ivr/status"
REQUEST_ID = "ivr-call-0001"


@pytest.fixture(autouse=True)
def shared_cache(settings, postgres_only, monkeypatch):
    """The Redis cache production has (the counters and versions both paths share), under a
    prefix of this test's own; the processes' memories start empty. The fast path's threads
    for the ORM close their connections after each step (CONN_MAX_AGE 0), so that none is
    left open when the test database is dropped."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        if REQUIRE_SERVICES:
            pytest.fail("The IVR's fast path needs Redis")
        pytest.skip("needs Redis")
    prefix = f"test-ivr-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": prefix,
        }
    }
    services._known_keys.clear()
    selectors._area_answers.clear()
    yield
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body


def events_get(query="", headers=(), *, method="GET", host=b"127.0.0.1"):
    """One request to the events process's ASGI application, its connections closed after
    (each call runs in an event loop of its own)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", host), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8001),
    }
    sent = []
    requested = []

    async def receive():
        if not requested:  # the request, then nothing until the server stops listening
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()

    async def send(message):
        sent.append(message)

    async def call():
        try:
            await asgi.application(scope, receive, send)
        finally:
            await ivr_asgi.CONNECTIONS.close()

    async_to_sync(call)()
    start = sent[0]
    headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    return Answer(start["status"], headers, b"".join(m.get("body", b"") for m in sent[1:]))


def both(client, params, *, key=None, headers=None):
    """The same request to the DRF view (test client) and to the events process: asserts
    that they answer alike, and returns the answer's JSON."""
    headers = {**(bearer(key) if key else {}), "X-Request-ID": REQUEST_ID, **(headers or {})}
    query = urlencode(params)
    view = client.get(f"{PATH}?{query}" if query else PATH, headers=headers)
    fast = events_get(query, [(k.lower().encode(), v.encode()) for k, v in headers.items()])
    assert (fast.status, fast.body.decode()) == (view.status_code, view.content.decode())
    assert fast.headers == {name.lower(): value for name, value in view.items()}
    return view.json()


@pytest.fixture
def north(supervisor):
    area = ServiceAreaFactory(code="N-1", name="Northgate", region="North")
    CoverageFactory(postal_code="N1A1A1", area=area)
    return area


@pytest.fixture
def caller(north):
    return CustomerFactory(area=north, phone="+12025550101", account_number="ACC-1")


@pytest.fixture
def outage(north, supervisor):
    return outage_services.outage_declare(
        actor=supervisor,
        now=NOW - timedelta(hours=1),
        title="Fibre cut in Northgate",
        areas=[north],
        cause="A cable was cut",
        etr=NOW + timedelta(hours=8),
        started_at=NOW - timedelta(hours=1),
    )


def test_a_caller_under_an_outage_by_number_account_and_postal_code(
    client, ivr_key, caller, outage
):
    _, key = ivr_key
    by_ani = both(client, {"ani": "(202) 555-0101"}, key=key)
    assert by_ani["matched_by"] == "ani" and by_ani["outage"]["id"] == outage.pk
    assert by_ani["announce"] and "Northgate" in by_ani["announcement"]
    assert both(client, {"account_number": "ACC-1"}, key=key)["matched_by"] == "account"
    assert both(client, {"postal_code": "n1a 1a1"}, key=key)["matched_by"] == "postal_code"
    # The account first, then the number, then the postal code, as the ORM reads them.
    assert both(client, {"account_number": "nope", "ani": caller.phone}, key=key)["matched_by"] == (
        "ani"
    )
    unknown_number = {"ani": "+12025550999", "postal_code": "N1A1A1"}
    assert both(client, unknown_number, key=key)["matched_by"] == "postal_code"


def test_an_area_without_an_outage_and_an_unknown_caller(client, ivr_key, caller, outage):
    _, key = ivr_key
    elsewhere = CustomerFactory(area=ServiceAreaFactory(code="S-1"), phone="+12025550177")
    quiet = both(client, {"ani": elsewhere.phone}, key=key)
    assert quiet["area"]["code"] == "S-1" and quiet["outage"] is None
    assert both(client, {"ani": "+12025550999"}, key=key)["matched_by"] == "none"
    nowhere = CustomerFactory(area=None, phone="+12025550188", account_number="ACC-NOWHERE")
    placed = both(client, {"account_number": nowhere.account_number}, key=key)
    assert placed["matched_by"] == "account" and placed["area"] is None


def test_a_caller_with_open_callbacks_hears_of_the_one_for_their_outage(
    client, ivr_key, caller, outage, supervisor
):
    _, key = ivr_key
    assert both(client, {"ani": caller.phone}, key=key)["open_callback"] is None
    older = CallbackFactory(phone=caller.phone, outage=outage, created_at=NOW - timedelta(hours=1))
    CallbackFactory(phone=caller.phone, status=policy.QUEUED, due_at=NOW + timedelta(hours=3))
    CallbackFactory(phone=caller.phone, status=policy.DONE, due_at=NOW)  # closed: unsaid
    assert both(client, {"ani": caller.phone}, key=key)["open_callback"]["id"] == older.pk
    # Once the outage is restored, the newest open one: queued, with when to expect it.
    outage_services.outage_restore(actor=supervisor, now=NOW, outage=outage)
    newest = both(client, {"ani": caller.phone}, key=key)["open_callback"]
    assert newest["status"] == policy.QUEUED and newest["expected_in_words"] == "by today at 1 PM"


def test_the_ivr_switch_and_an_etr_change_are_heard_on_the_next_call(
    client, ivr_key, caller, outage, supervisor
):
    _, key = ivr_key
    assert both(client, {"ani": caller.phone}, key=key)["offers_callback"] is True
    outage_services.outage_set_ivr(
        actor=supervisor, now=NOW, outage=outage, announce=True, offers_callbacks=False
    )
    assert both(client, {"ani": caller.phone}, key=key)["offers_callback"] is False
    outage_services.outage_set_ivr(
        actor=supervisor, now=NOW, outage=outage, announce=False, offers_callbacks=False
    )
    silent = both(client, {"ani": caller.phone}, key=key)
    assert silent["announce"] is False and silent["outage_covers_area"] is True
    outage_services.outage_post_update(
        actor=supervisor, now=NOW, outage=outage, etr=NOW + timedelta(days=1, hours=2)
    )
    later = both(client, {"ani": caller.phone}, key=key)
    assert later["outage"]["etr_in_words"] == "tomorrow at 12 PM"


@pytest.mark.parametrize(
    "params",
    [{}, {"ani": "12"}, {"ani": "not a number"}, {"postal_code": "X" * 13}, {"ani": ""}],
    ids=["nothing", "short", "letters", "too-long", "blank"],
)
def test_bad_queries_get_the_same_problem(client, ivr_key, params):
    _, key = ivr_key
    assert "detail" in both(client, params, key=key)


def test_keys_missing_wrong_revoked_or_without_the_scope(client, make_key, key_maker, caller):
    query = {"ani": caller.phone}
    assert both(client, query)["detail"].startswith("Send an API key")
    assert both(client, query, headers={"Authorization": "Basic abc"})["detail"].startswith("Send")
    assert "not valid" in both(client, query, key="oc_12345678_not-a-key")["detail"]
    assert "not valid" in both(client, query, key="not-even-shaped")["detail"]
    _, crm = make_key("CRM", ["crm"])
    assert "'ivr' scope" in both(client, query, key=crm)["detail"]
    api_key, key = make_key("Main IVR", ["ivr"])
    assert both(client, query, key=key)["matched_by"] == "ani"
    assert "not valid" in both(client, query, headers={"X-API-Key": key + "x"})["detail"]
    services.api_key_revoke(actor=key_maker, now=NOW, api_key=api_key)
    assert "not valid" in both(client, query, key=key)["detail"]


def test_the_rate_limit_is_one_counter_for_both(client, make_key, caller, monkeypatch):
    """Each key's requests are counted on one counter in the shared cache, whichever process
    answers them: three a minute here, sent through the two in turn."""
    monkeypatch.setattr(ApiKeyThrottle, "rate", "3/min", raising=False)
    _, key = make_key("Main IVR", ["ivr"])
    _, other = make_key("Second IVR", ["ivr"])
    query, auth = urlencode({"ani": caller.phone}), [(b"authorization", f"Bearer {key}".encode())]
    first = client.get(PATH, {"ani": caller.phone}, headers=bearer(key))
    second = events_get(query, auth)
    third = client.get(PATH, {"ani": caller.phone}, headers=bearer(key))
    assert (first.status_code, second.status, third.status_code) == (200, 200, 200)
    assert "throttled" in both(client, {"ani": caller.phone}, key=key)["detail"]  # 4th and 5th
    assert both(client, {"ani": caller.phone}, key=other)["matched_by"] == "ani"


def test_the_events_process_records_the_keys_last_use(ivr_key, caller):
    api_key, key = ivr_key
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is None
    auth = [(b"authorization", f"Bearer {key}".encode())]
    answer = events_get(urlencode({"ani": caller.phone}), auth)
    assert answer.status == 200
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == NOW


def test_a_call_answered_by_the_events_process_makes_no_django_request(
    ivr_key, caller, outage, django_assert_num_queries
):
    """Once the key and the area are in the process's memory, a call is the fast path's own
    Redis round trip and statement: no query through Django's connections (the view would
    make two)."""
    _, key = ivr_key
    headers = [(b"authorization", f"Bearer {key}".encode())]
    first = events_get(urlencode({"ani": caller.phone}), headers)
    with django_assert_num_queries(0):
        again = events_get(urlencode({"ani": caller.phone}), headers)
    assert again.body == first.body and again.status == 200


@pytest.mark.parametrize(
    ("method", "headers", "query"),
    [
        ("POST", [], "ani=%2B12025550101"),
        ("GET", [(b"accept", b"text/html")], "ani=%2B12025550101"),
        ("GET", [], "ani=%2B12025550101&format=json"),
    ],
    ids=["post", "accept-html", "format"],
)
def test_what_the_fast_path_would_not_answer_alike_goes_to_django(
    client, ivr_key, caller, method, headers, query
):
    _, key = ivr_key
    auth = [(b"authorization", f"Bearer {key}".encode())]
    fast = events_get(query, [*auth, *headers], method=method)
    view = getattr(client, method.lower())(
        f"{PATH}?{query}",
        headers={"Authorization": f"Bearer {key}", **{k.decode(): v.decode() for k, v in headers}},
    )
    assert (fast.status, fast.body) == (view.status_code, view.content)


def test_a_host_not_allowed_is_refused_by_django(ivr_key, caller):
    _, key = ivr_key
    auth = [(b"authorization", f"Bearer {key}".encode())]
    assert events_get("ani=%2B12025550101", auth, host=b"evil.example").status == 400


def test_without_the_redis_cache_django_answers_it(client, ivr_key, caller, outage, settings):
    """An events process without the shared cache (a development machine) leaves the path to
    Django: counters and versions in one process's memory would not be the web processes'."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _, key = ivr_key
    assert not ivr_asgi.enabled()
    answer = events_get("ani=%2B12025550101", [(b"authorization", f"Bearer {key}".encode())])
    assert answer.status == 200
    assert answer.body == client.get(PATH, {"ani": caller.phone}, headers=bearer(key)).content


def test_https_answers_carry_the_same_security_headers(client, ivr_key, caller, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    _, key = ivr_key
    body = both(client, {"ani": caller.phone}, key=key, headers={"X-Forwarded-Proto": "https"})
    assert body["matched_by"] == "ani"
    fast = events_get(
        "ani=%2B12025550101",
        [(b"authorization", f"Bearer {key}".encode()), (b"x-forwarded-proto", b"https")],
    )
    assert fast.headers["strict-transport-security"] == "max-age=3600"


def test_the_events_process_counts_its_answers_for_the_metrics(
    client, settings, monkeypatch, ivr_key, caller
):
    """django-prometheus never sees the events process's answers: it counts them itself (in
    memory, added to Redis about once a second) and /metrics shows them by status."""
    settings.METRICS_REDIS_URL = settings.CELERY_BROKER_URL
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "metrics-token", []
    store = redis.Redis.from_url(settings.METRICS_REDIS_URL)
    store.delete(IVR_ANSWERS)
    monkeypatch.setattr(ivr_asgi.AnswerCounts, "FLUSH_SECONDS", 3600.0)  # flushed below
    monkeypatch.setattr(ivr_asgi, "ANSWERS", ivr_asgi.AnswerCounts())
    _, key = ivr_key
    query = urlencode({"ani": caller.phone})

    assert events_get(query, [(b"authorization", f"Bearer {key}".encode())]).status == 200
    assert events_get(query).status == 401
    async_to_sync(ivr_asgi.ANSWERS.flush)()

    page = client.get(reverse("metrics"), headers={"Authorization": "Bearer metrics-token"})
    text = page.content.decode()
    assert 'console_ivr_status_answers_events_total{status="200"} 1.0' in text
    assert 'console_ivr_status_answers_events_total{status="401"} 1.0' in text
    store.delete(IVR_ANSWERS)
    store.close()
