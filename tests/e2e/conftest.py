"""Browser tests: Playwright (sync API) driving Debian's Chromium against ``live_server``.

Every test here is marked ``e2e``. Without /usr/bin/chromium (or Playwright) they skip
locally and fail under CI (``REQUIRE_SERVICES=1``). Playwright's sync API runs an event loop
in the test thread, which trips Django's async-unsafe check: the tests allow it.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from tests.conftest import REQUIRE_SERVICES

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(django_settings.BASE_DIR) / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 720}
PASSWORD = "pw-for-tests"


# Every browser test module starts with this: the browser talks to live_server on its own
# connections, so rows must be committed (and are flushed after each test).
E2E = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _migrated(migrated_data):
    """Every browser test starts with the data migrations' rows (see ``migrated_data``)."""


def _unavailable(reason):
    if REQUIRE_SERVICES:
        pytest.fail(f"Browser tests need {reason}")
    pytest.skip(f"needs {reason}")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"Chromium at {CHROMIUM} (make browsers)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page for a user (logged in by session cookie), at 1280x720 unless told."""
    contexts = []

    def open_page(user=None, viewport=VIEWPORT):
        context = browser.new_context(
            viewport=viewport, base_url=live_server.url, timezone_id=django_settings.TIME_ZONE
        )
        context.set_default_timeout(10_000)
        if user is not None:
            context.add_cookies([session_cookie(user, live_server.url)])
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def session_cookie(user, url):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}


def inject_axe(page):
    """axe-core into the page through the browser's debugging protocol: a script tag would be
    an inline script, which the console's Content-Security-Policy (rightly) refuses."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())


def assert_accessible(page, what):
    """axe-core in the page: no serious or critical violations."""
    # Evaluated through the browser's debugging protocol: an injected <script> tag would be
    # inline script, which the console's Content-Security-Policy refuses (as it should).
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"Accessibility problems on {what}:\n" + "\n".join(bad)


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def fits_width(page):
    """No horizontal scrolling: the page fits the window."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
