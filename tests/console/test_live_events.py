"""Pushed live updates: an outage's change reaches the open live-call screens of its areas as
one server-sent event each (through real Redis pub/sub), and nowhere else; where nothing
pushes, the screen keeps its version check."""

import asyncio
import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from console import asgi, live_events, live_hub
from outages import services as outage_services
from tests.factories import CoverageFactory, CustomerFactory, ServiceAreaFactory

from ..conftest import REQUIRE_SERVICES

pytestmark = pytest.mark.django_db

# Only a guard against a test that would otherwise hang: nothing here measures time.
GIVE_UP_SECONDS = 10


@pytest.fixture
def redis_pushes(settings):
    if not settings.CONSOLE_LIVE_EVENTS_REDIS_URL.startswith("redis"):
        if REQUIRE_SERVICES:
            pytest.fail("The live events need Redis")
        pytest.skip("needs Redis")
    return settings.CONSOLE_LIVE_EVENTS_REDIS_URL


@pytest.fixture
def scene(supervisor):
    now = timezone.now()
    north = ServiceAreaFactory(code="N-1", name="Northgate")
    south = ServiceAreaFactory(code="S-1", name="Southbank")
    CoverageFactory(postal_code="20001", area=north)
    customer = CustomerFactory(name="Dana Whitfield", area=north, postal_code="20001")
    outage = outage_services.outage_declare(
        actor=supervisor,
        now=now - timedelta(minutes=30),
        title="Fibre cut on Route 9",
        areas=[north],
        cause="A fibre cable was cut",
        etr=now + timedelta(hours=3),
        message="Crews are on site.",
    )
    return customer, outage, north, south


class Browser:
    """An ASGI client of the events process's stream: what it was sent, and a way to leave."""

    def __init__(self, *, area, session_key):
        path = reverse("console:live_events")
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": f"area={area}".encode(),
            "root_path": "",
            "headers": [
                (b"host", b"127.0.0.1"),
                (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8001),
        }
        self.sent = asyncio.Queue()
        self.gone = asyncio.Event()

    async def receive(self):
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message):
        await self.sent.put(message)

    async def next_message(self):
        return await asyncio.wait_for(self.sent.get(), GIVE_UP_SECONDS)

    async def next_event(self):
        """The next server-sent event (comments skipped) as (name, data)."""
        while True:
            text = (await self.next_message())["body"].decode()
            if text.startswith("event:"):
                name, data = text.strip().split("\n", 1)
                return name.removeprefix("event: "), json.loads(data.removeprefix("data: "))


def _session_key(client, user):
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.django_db(transaction=True)
def test_an_etr_change_reaches_the_open_screen_of_its_area(
    redis_pushes, scene, client, agent, supervisor
):
    """Through the events process's endpoint and real Redis pub/sub: the supervisor's change,
    published on commit, arrives on the stream of a screen of the outage's area."""
    customer, outage, north, south = scene
    browser = Browser(area=north.pk, session_key=_session_key(client, agent))
    new_etr = timezone.now() + timedelta(hours=5)

    def change_etr():
        outage_services.outage_post_update(
            actor=supervisor,
            now=timezone.now(),
            outage=outage,
            etr=new_etr,
            message="A second crew is on its way.",
        )

    async def scenario():
        endpoint = asyncio.ensure_future(
            asgi.application(browser.scope, browser.receive, browser.send)
        )
        try:
            start = await browser.next_message()
            opening = await browser.next_message()  # sent once the screen is subscribed
            await sync_to_async(change_etr)()
            return start, opening, await browser.next_event()
        finally:
            browser.gone.set()
            await asyncio.wait_for(endpoint, GIVE_UP_SECONDS)
            await live_hub.HUB.close()

    start, opening, (name, event) = async_to_sync(scenario)()

    assert start["status"] == 200
    assert (b"content-type", b"text/event-stream") in start["headers"]
    assert opening["body"].startswith(b"retry:")
    assert name == "outage"
    assert event["outage"] == outage.pk
    assert event["etr"] == new_etr.isoformat()
    assert event["status_label"] == "Identified"  # a cause was given
    # The ETR in words and time, as the banner shows it, and as the scripts say it.
    assert "in 4 h 59 min" in event["etr_html"] or "in 5 h" in event["etr_html"]
    assert event["etr_script"] in event["etr_html"]
    assert "A second crew is on its way." in event["last_update_html"]
    # Nothing about the customer on the screen.
    assert customer.name not in json.dumps(event)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["anonymous", "nobody"])
def test_the_stream_is_for_agents_only(redis_pushes, scene, client, nobody, who):
    customer, outage, north, south = scene
    key = "no-such-session" if who == "anonymous" else _session_key(client, nobody)
    browser = Browser(area=north.pk, session_key=key)

    async def scenario():
        await asyncio.wait_for(
            asgi.application(browser.scope, browser.receive, browser.send), GIVE_UP_SECONDS
        )
        return await browser.next_message()

    assert async_to_sync(scenario)()["status"] == 403


def test_a_screen_of_another_area_hears_nothing(redis_pushes, scene, agent, supervisor):
    """The hub gives a message only to the screens of the areas it names."""
    customer, outage, north, south = scene
    message = live_events.outage_message(outage.pk, now=timezone.now())

    async def scenario():
        north_screen = await live_hub.HUB.join(north.pk)
        south_screen = await live_hub.HUB.join(south.pk)
        try:
            sent = live_hub.HUB.dispatch(json.dumps(message))
            return sent, north_screen.qsize(), south_screen.qsize()
        finally:
            await live_hub.HUB.close()

    sent, north_waiting, south_waiting = async_to_sync(scenario)()
    assert (sent, north_waiting, south_waiting) == (1, 1, 0)
    assert message["areas"] == [north.pk]


def test_an_outage_on_every_area_reaches_every_screen(redis_pushes, agent, supervisor):
    north = ServiceAreaFactory(code="N-1")
    outage = outage_services.outage_declare(
        actor=supervisor,
        now=timezone.now(),
        title="Billing system down",
        kind="systems",
        all_areas=True,
    )
    message = live_events.outage_message(outage.pk, now=timezone.now())

    async def scenario():
        await live_hub.HUB.join(north.pk)
        await live_hub.HUB.join(None)  # a screen before any lookup
        try:
            return live_hub.HUB.dispatch(json.dumps(message))
        finally:
            await live_hub.HUB.close()

    assert message["areas"] is None
    assert async_to_sync(scenario)() == 2


def test_the_path_on_gunicorn_needs_an_agent_too(redis_pushes, scene, client, nobody):
    customer, outage, north, south = scene
    url = reverse("console:live_events") + f"?area={north.pk}"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(nobody)
    assert client.get(url).status_code == 403


def test_without_the_events_process_the_screen_keeps_checking_its_version(
    redis_pushes, scene, agent_client
):
    """gunicorn (WSGI) answers the stream with 204, which stops the browser asking; the page
    still carries its version check."""
    customer, outage, north, south = scene
    url = reverse("console:live_events") + f"?area={north.pk}"
    assert agent_client.get(url).status_code == 204
    page = agent_client.get(reverse("console:home"), {"customer": customer.pk}).content.decode()
    assert f'data-events-url="{url.replace("&", "&amp;")}"' in page
    assert 'data-version-url="' in page


def test_make_run_pushes_nothing_and_the_page_checks_versions(settings, scene, agent_client):
    """The embedded default (filesystem broker, no Redis): no stream is offered, a change
    publishes nothing, and the page checks its version as before."""
    settings.CONSOLE_LIVE_EVENTS_REDIS_URL = ""
    customer, outage, north, south = scene
    page = agent_client.get(reverse("console:home"), {"customer": customer.pk}).content.decode()
    assert "data-events-url" not in page
    assert 'data-version-url="' in page
    assert live_events.publish_outage_changed(outage_id=outage.pk) is None


def test_consoles_on_different_redis_databases_hear_only_their_own_outages():
    """Pub/sub ignores the database number: the channel carries it, so two consoles (or two
    test runs) sharing one Redis server on different databases stay apart."""
    assert live_events.channel("redis://127.0.0.1:6379/15") != live_events.channel(
        "redis://127.0.0.1:6379/14"
    )
    assert live_events.channel("redis://127.0.0.1:6379") == live_events.channel(
        "redis://127.0.0.1:6379/0"
    )
