"""Telling customers in a real browser: the declare form counts who an outage reaches, the
outage page previews the real message and sends it, and the progress panel fills in by
itself (htmx polling)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.e2e.conftest import E2E, assert_accessible, screenshot
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory

pytestmark = E2E


def test_supervisor_previews_and_tells_customers(new_page, supervisor, live_server):
    from playwright.sync_api import expect

    area = ServiceAreaFactory(code="RV1", name="Riverside")
    CustomerFactory(name="Aisha Khan", account_number="R1", area=area, email="aisha@example.com")
    CustomerFactory(name="Ben Ode", account_number="R2", area=area)
    now = timezone.now()
    outage = OutageFactory(
        title="Riverside broadband down",
        areas=[area],
        started_at=now - timedelta(hours=1),
        etr=now + timedelta(hours=3),
    )

    page = new_page(supervisor)
    page.goto(live_server.url + reverse("outages:declare"))
    page.get_by_label("Area codes").fill("RV1")
    page.get_by_label("Area codes").blur()
    expect(page.locator("#notify-reach")).to_contain_text(
        "This will reach 2 customers by SMS and 1 by email"
    )

    page.goto(live_server.url + reverse("outages:detail", args=[outage.pk]))
    panel = page.locator("#notify-panel")
    expect(panel).to_contain_text("Customers have not been told about this outage")
    panel.get_by_role("link", name="Preview and tell customers").click()
    page.get_by_label("Preview for account number").fill("R1")
    page.get_by_role("button", name="Show preview").click()
    expect(page.get_by_role("region", name="Email preview")).to_contain_text("Hello Aisha Khan")
    assert_accessible(page, "notification preview")
    screenshot(page, "notifications-preview")
    page.get_by_role("button", name="Send to 2 by SMS and 1 by email").click()
    expect(page.locator("#notify-panel")).to_contain_text("Outage declared")
    expect(page.locator("#notify-panel table")).to_be_visible()
