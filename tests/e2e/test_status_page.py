"""The public status page in a real browser, on a phone (390x844) and a laptop (1280x720):
look up a postal code, ask for a call back, cancel it from the link. No login; axe clean."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from callbacks import policy
from callbacks.models import CallbackRequest
from outages import services as outage_services
from tests.e2e.conftest import E2E, assert_accessible, fits_width, screenshot
from tests.factories import CoverageFactory, ServiceAreaFactory

pytestmark = E2E

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 720}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_lookup_request_and_cancel(new_page, live_server, supervisor, viewport):
    area = ServiceAreaFactory(name="Northgate", region="North")
    CoverageFactory(postal_code="N1A1A1", area=area)
    outage_services.outage_declare(
        actor=supervisor,
        now=timezone.now(),
        title="Fibre cut in Northgate",
        areas=[area],
        message="Crews are on site.",
    )

    page = new_page(viewport=viewport)
    page.goto(live_server.url + reverse("statuspage:index"))
    expect(page.get_by_role("heading", name="Service status")).to_be_visible()
    expect(page.get_by_text("Crews are on site.")).to_be_visible()
    assert_accessible(page, "the status page")
    assert fits_width(page)

    page.get_by_label("Postal code or account number").fill("n1a 1a1")
    page.get_by_role("button", name="Check my area").click()
    expect(page.get_by_role("heading", name="Northgate: 1 known outage")).to_be_visible()
    assert_accessible(page, "the lookup answer")

    page.get_by_role("link", name="Ask for a call back").last.click()
    page.get_by_label("Your name").fill("Pat Visitor")
    page.get_by_label("Phone number to call").fill("202-555-0188")
    page.get_by_label("Postal code of the address with the problem").fill("N1A 1A1")
    page.get_by_label("What do you need help with?").fill("No internet since this morning")
    assert_accessible(page, "the callback form")
    assert fits_width(page)
    page.get_by_role("button", name="Request a call back").click()

    expect(page.get_by_text("We have your request.")).to_be_visible()
    expect(page.get_by_text("within 8 hours of the service being restored")).to_be_visible()
    assert_accessible(page, "the confirmation")
    assert fits_width(page)
    if viewport == LAPTOP:
        screenshot(page, "status-page-callback")
    callback = CallbackRequest.objects.get()
    assert callback.channel == policy.WEB_CHANNEL and callback.phone == "+12025550188"

    link = page.url
    fresh = new_page(viewport=viewport)  # the link alone is enough: a new browser, no cookie
    fresh.goto(link)
    fresh.get_by_role("button", name="Cancel my call back").click()
    expect(fresh.get_by_text("This request is closed")).to_be_visible()
    callback.refresh_from_db()
    assert callback.status == policy.CANCELLED
