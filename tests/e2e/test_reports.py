"""Reports in a real browser: the archive opens a post-incident report (charts, print
layout), the analytics page over a date range, and a customer's history, at 1280 and 390 px."""

from django.utils import timezone
from playwright.sync_api import expect

from planning.models import StaffingForecast
from reports import services
from tests.reports import known_data

from .conftest import E2E, assert_accessible, fits_width, screenshot

pytestmark = E2E
PHONE = {"width": 390, "height": 844}


def _known(django_user_model):
    known = known_data.build(django_user_model)
    services.summaries_refresh(now=known_data.at(23, 30), full=True)
    StaffingForecast.objects.create(
        computed_at=timezone.now(),
        open_callbacks=1300,
        agents_on_duty=18,
        will_miss=412,
        agents_needed=27,
        capacity_bound=1100,
        handle_minutes=11.5,
        handle_observed=True,
    )
    return known


def test_archive_to_post_incident_report(new_page, django_user_model, team_lead):
    _known(django_user_model)
    page = new_page(team_lead)
    page.goto("/reports/")
    page.get_by_label("Title or service").fill("fibre")
    page.get_by_label("Area code").fill("RA")
    page.get_by_role("button", name="Search outages").click()
    expect(page.get_by_role("status").filter(has_text="outage found")).to_contain_text("1 outage")
    page.get_by_role("link", name="Report on Fibre cut on Main Street").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Post-incident report: Fibre cut on Main Street"
    )
    expect(page.locator('[data-figure="in_time_share"]')).to_have_text("60.0%")
    expect(page.get_by_role("img", name="Attempts by outcome on this outage")).to_be_visible()
    expect(page.get_by_role("button", name="Print report")).to_be_visible()
    expect(page.get_by_role("link", name="Download report as CSV")).to_be_visible()
    assert_accessible(page, "the post-incident report")
    screenshot(page, "outage-report")

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print report")).to_be_hidden()
    page.emulate_media(media="screen")

    phone = new_page(team_lead, viewport=PHONE)
    phone.goto(page.url)
    expect(phone.locator('[data-figure="callbacks"]')).to_have_text("5")
    assert fits_width(phone)
    assert_accessible(phone, "the post-incident report at phone width")


def test_analytics_over_a_date_range(new_page, django_user_model, team_lead):
    _known(django_user_model)
    page = new_page(team_lead)
    page.goto("/reports/analytics/")
    page.get_by_label("From").fill("2026-03-01")
    page.get_by_label("To (inclusive)").fill("2026-03-07")
    page.get_by_role("button", name="Show analytics").click()
    expect(page.locator("main [role=status]").first).to_contain_text(
        "60.0% of 5 callbacks called within the target"
    )
    for name in (
        "Outages by share of callbacks called within the target",
        "Share called within the target, per week (%)",
        "Attempts by outcome in the range",
        "Attempts per day worked, by agent",
        "Outages by duration",
        "Live-call lookups by hour of the day",
    ):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    expect(page.locator("[data-staffing=alarm]")).to_contain_text(
        "412 of 1,300 callbacks will miss the 8-hour target with 18 agents on duty"
    )
    assert_accessible(page, "the analytics page")
    screenshot(page, "analytics")

    phone = new_page(team_lead, viewport=PHONE)
    phone.goto(page.url)
    expect(phone.get_by_role("img", name="Outages by duration")).to_be_visible()
    assert fits_width(phone)
    assert_accessible(phone, "the analytics page at phone width")


def test_customer_history_from_the_live_call(new_page, django_user_model):
    known = _known(django_user_model)
    customer = known["customer"]
    page = new_page(known["ada"])
    page.goto("/")
    find = page.get_by_label("Find customer")
    find.fill(customer.account_number)
    find.press("Enter")
    note = page.get_by_label("Outcome of this call (no callback needed)")
    note.fill("Explained the restoration; no callback wanted")
    page.get_by_role("button", name="Save call outcome").click()
    expect(page.get_by_text("Call noted on the customer's history")).to_be_visible()
    page.get_by_role("link", name=f"History of {customer.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Customer history: {customer.name}")
    expect(
        page.get_by_text("Outcome: Explained the restoration; no callback wanted")
    ).to_be_visible()
    assert_accessible(page, "the customer history")
    screenshot(page, "customer-history")
    phone = new_page(known["ada"], viewport=PHONE)
    phone.goto(page.url)
    assert fits_width(phone)
