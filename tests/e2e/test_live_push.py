"""Pushed live updates in a real browser: the console served by the events process (uvicorn,
ASGI, as production runs ``/call/live/events/``), a supervisor's ETR change, and the open
live-call screen showing it without a reload and without asking the server.

Where no events process answers (``live_server`` is WSGI: the stream gets 204), the version
check brings the same change: ``test_live_call.py``'s
``test_supervisors_change_reaches_the_open_screen_within_two_seconds``."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from outages import services as outage_services
from tests.factories import CustomerFactory, ServiceAreaFactory

from ..conftest import REQUIRE_SERVICES
from .conftest import E2E, VIEWPORT, session_cookie

pytestmark = E2E

STARTUP_SECONDS = 30


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def events_server(transactional_db, tmp_path):
    """uvicorn on the test database and the test Redis, stopped by its PID afterwards."""
    if not django_settings.CONSOLE_LIVE_EVENTS_REDIS_URL.startswith("redis"):
        if REQUIRE_SERVICES:
            pytest.fail("The pushed live updates need Redis")
        pytest.skip("needs Redis")
    db = connection.settings_dict
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        CELERY_BROKER_URL=django_settings.CELERY_BROKER_URL,
        DEBUG="true",
    )
    if not db["ENGINE"].endswith("postgresql"):
        pytest.skip("the events process needs the PostgreSQL test database")
    log = open(tmp_path / "uvicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "console.asgi:application", "--port", str(port)],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "uvicorn.log").read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def scene(supervisor):
    now = timezone.now()
    area = ServiceAreaFactory(code="NE-1", name="Northgate")
    customer = CustomerFactory(name="Dana Whitfield", area=area, postal_code="20001")
    outage = outage_services.outage_declare(
        actor=supervisor,
        now=now - timedelta(minutes=40),
        title="Fibre cut on Route 9",
        areas=[area],
        cause="A fibre cable was cut by roadworks",
        etr=now + timedelta(hours=3, minutes=12),
        message="Crews are on site.",
    )
    return customer, outage


def test_an_etr_change_is_pushed_to_the_open_screen(
    browser, events_server, agent, supervisor, scene
):
    customer, outage = scene
    context = browser.new_context(
        viewport=VIEWPORT, base_url=events_server, timezone_id=django_settings.TIME_ZONE
    )
    context.set_default_timeout(10_000)
    context.add_cookies([session_cookie(agent, events_server)])
    page = context.new_page()
    version_checks = []
    page.on("request", lambda r: "/call/live/version/" in r.url and version_checks.append(r.url))
    page.goto(f"/?customer={customer.pk}")
    banner = page.locator(".outage-banner")
    expect(banner).to_contain_text(re.compile(r"in (3 h 12 min|3 h 11 min)"))
    # The stream is open: the version check rests.
    expect(page.locator("html")).to_have_attribute("data-live-push", "open")
    page.get_by_label("Notes").fill("Works from home")
    page.evaluate("window.sameDocument = true")
    checks_before = len(version_checks)

    new_etr = timezone.now() + timedelta(hours=5)
    outage_services.outage_post_update(
        actor=supervisor, now=timezone.now(), outage=outage, etr=new_etr, message="Second crew."
    )

    expect(banner).to_contain_text(re.compile(r"in (5 h|4 h 59 min)"), timeout=2_000)
    expect(banner).to_contain_text("Second crew.")
    said = date_format(timezone.localtime(new_etr), "D j M, g:i A")
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Estimated restoration")
    )
    expect(card).to_contain_text(said)
    # No reload, nothing typed lost, and the change did not come from the version check.
    assert page.evaluate("window.sameDocument") is True
    expect(page.get_by_label("Notes")).to_have_value("Works from home")
    assert len(version_checks) == checks_before
    context.close()


def test_relative_times_move_along_on_the_page_itself(new_page, agent, scene):
    """ "in 3 h 11 min" becomes "in 3 h 7 min" four minutes later with no request to the
    server: the region's full refresh is only a safety net (the browser's clock is the
    test's)."""
    customer, outage = scene
    page = new_page(agent)
    page.clock.install()
    page.goto(f"/?customer={customer.pk}")
    banner = page.locator(".outage-banner")
    expect(banner).to_contain_text(re.compile(r"in 3 h 1[12] min"))
    refreshes = []
    page.on("request", lambda r: "/call/live/?" in r.url and refreshes.append(r.url))

    page.clock.fast_forward("04:00")

    expect(banner).to_contain_text(re.compile(r"in 3 h [78] min"))
    assert refreshes == []
