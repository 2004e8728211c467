"""The editor in a real browser: placeholder buttons insert at the cursor, the preview follows
the typing (htmx), and a refused placeholder shows before anything is saved."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from scripts_library import moments
from scripts_library.models import Script
from scripts_library.services import install_defaults
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory

CHROMIUM = Path("/usr/bin/chromium")

# Committed rows (the live server reads them on its own connection). A transactional test that
# ran before may have flushed the database, so the test installs the default scripts itself and
# the user fixtures re-create their role groups.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(monkeypatch):
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("The browser tests need Debian's chromium at /usr/bin/chromium")
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context()
        yield context
        context.close()
        browser.close()


def _log_in(context, client, user, live_server):
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def test_placeholder_buttons_and_live_preview(browser_page, client, supervisor, live_server):
    from playwright.sync_api import expect

    install_defaults(now=timezone.now())
    area = ServiceAreaFactory(name="Riverside")
    OutageFactory(title="Riverside broadband down", cause="a flooded cabinet", areas=[area])
    CustomerFactory(name="Aisha Khan", area=area)
    cause = Script.objects.get(moment=moments.CAUSE, scope_key=moments.DEFAULT, language="en")

    page = _log_in(browser_page, client, supervisor, live_server)
    page.goto(live_server.url + reverse("scripts_library:edit", args=[cause.pk]))
    preview = page.locator("#preview")
    expect(preview).to_contain_text("a flooded cabinet")

    wording = page.get_by_label("Wording", exact=True)
    wording.fill("Hello , the cause is .")
    wording.evaluate("field => field.setSelectionRange(6, 6)")
    page.get_by_role("button", name="Insert <Customer Name>").click()
    expect(wording).to_have_value("Hello <Customer Name>, the cause is .")
    wording.evaluate(
        "field => field.setSelectionRange(field.value.length - 1, field.value.length - 1)"
    )
    page.get_by_role("button", name="Insert <Cause>").click()
    expect(wording).to_have_value("Hello <Customer Name>, the cause is <Cause>.")
    expect(preview).to_contain_text("Hello Aisha Khan, the cause is a flooded cabinet.")

    wording.fill("Hello <Custmer Name>.")
    expect(preview).to_contain_text("This wording would be refused on save")
    expect(preview).to_contain_text("did you mean <Customer Name>?")

    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("This wording was not saved")).to_be_visible()
    expect(page.locator("#id_body_errors")).to_contain_text("Known placeholders: <Customer Name>")

    wording = page.get_by_label("Wording", exact=True)
    wording.fill("Here is the latest: <Cause>.")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("published: agents see it now")).to_be_visible()
    cause.refresh_from_db()
    assert cause.live_version.body == "Here is the latest: <Cause>."
    assert cause.live_version.author == supervisor
