"""The live-call screen in a real browser: lookup three ways, live refresh, filing, drafts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callbacks.models import CallbackRequest
from outages import services as outage_services
from outages.models import RefundReview
from tests.factories import CoverageFactory, CustomerFactory, ServiceAreaFactory

from .conftest import E2E, PASSWORD, assert_accessible, fits_width, screenshot

pytestmark = E2E


@pytest.fixture
def fast_refresh(settings):
    settings.CONSOLE_LIVE_REFRESH_SECONDS = 1


@pytest.fixture
def scene(supervisor):
    now = timezone.now()
    area = ServiceAreaFactory(code="NE-1", name="Northgate")
    customer = CustomerFactory(
        account_number="ACC123456",
        name="Dana Whitfield",
        phone="+12025550143",
        address="14 Juniper Lane",
        postal_code="20001",
        area=area,
    )
    CustomerFactory(name="Lee Park", address="16 Juniper Lane", area=area)
    outage = outage_services.outage_declare(
        actor=supervisor,
        now=now - timedelta(minutes=40),
        title="Fibre cut on Route 9",
        areas=[area],
        service="Home broadband",
        cause="A fibre cable was cut by roadworks",
        etr=now + timedelta(hours=3, minutes=12),
        message="Crews are on site.",
    )
    return customer, outage


def _banner(page):
    return page.locator(".outage-banner")


def _card(page, label):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=label))


def test_agent_finds_customer_by_account_phone_and_address(new_page, agent, scene):
    page = new_page()
    page.goto("/")
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    find = page.get_by_label("Find customer")
    expect(find).to_be_focused()

    find.fill("ACC123456")
    find.press("Enter")
    expect(page.get_by_role("heading", name="Dana Whitfield")).to_be_visible()
    expect(_banner(page)).to_contain_text("Known outage: Fibre cut on Route 9")
    expect(_banner(page)).to_contain_text("A fibre cable was cut by roadworks")
    expect(_banner(page)).to_contain_text(re.compile(r"in 3 h 1\d min"))
    headings = page.locator(".script-card h3").all_inner_texts()
    assert [re.sub(r"^\d+\s*", "", h) for h in headings] == [
        "Opening",
        "Cause",
        "Estimated restoration",
        "Alternatives",
        "Refund question",
        "Closing",
    ]
    expect(page.get_by_role("button", name="Copy Opening script")).to_be_visible()
    assert_accessible(page, "the live-call screen")
    screenshot(page, "live-call")

    # "/" brings the agent back to the lookup from anywhere on the page.
    page.get_by_role("heading", name="Dana Whitfield").click()
    page.keyboard.press("/")
    expect(find).to_be_focused()
    find.fill("(202) 555-0143")
    find.press("Enter")
    expect(page).to_have_url(re.compile(r"q=(\(|%28)202"))
    expect(page.get_by_role("heading", name="Dana Whitfield")).to_be_visible()

    # Addresses: matches while typing, arrow down and Enter to pick.
    find.fill("")
    find.press_sequentially("juniper l", delay=30)
    suggestions = page.locator("#suggestions a")
    expect(suggestions).to_have_count(2)
    find.press("ArrowDown")
    expect(suggestions.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"customer={scene[0].pk}"))
    expect(page.get_by_role("heading", name="Dana Whitfield")).to_be_visible()
    expect(suggestions).to_have_count(0)


def test_supervisors_change_reaches_the_open_screen_within_two_seconds(
    new_page, agent, supervisor, scene
):
    """The version check (every second, 204 while nothing changed) brings a change of cause,
    ETR or update, and a restoration, to the agent's open screen without a reload: the full
    refresh of the region only runs once a minute."""
    customer, outage = scene
    page = new_page(agent)
    page.goto(f"/?customer={customer.pk}")
    expect(_banner(page)).to_contain_text("A fibre cable was cut by roadworks")
    page.get_by_label("Notes").fill("Works from home")

    now = timezone.now()
    outage_services.outage_post_update(
        actor=supervisor,
        now=now,
        outage=outage,
        cause="A flooded street cabinet",
        etr=now + timedelta(hours=5),
        message="Cabinet pumped out.",
    )
    expect(_banner(page)).to_contain_text("A flooded street cabinet", timeout=2_000)
    expect(_banner(page)).to_contain_text("Cabinet pumped out.")
    expect(_banner(page)).to_contain_text(re.compile(r"in (5 h|4 h 59 min)"))
    expect(_card(page, "Cause")).to_contain_text("A flooded street cabinet")
    expect(_card(page, "Estimated restoration")).not_to_contain_text("not yet known")
    # What the agent was typing is untouched by the refresh.
    expect(page.get_by_label("Notes")).to_have_value("Works from home")

    # The ETR alone moves too.
    outage_services.outage_post_update(
        actor=supervisor, now=timezone.now(), outage=outage, etr=now + timedelta(hours=2)
    )
    expect(_banner(page)).to_contain_text(re.compile(r"in (2 h|1 h 59 min)"), timeout=2_000)

    outage_services.outage_restore(actor=supervisor, now=timezone.now(), outage=outage)
    expect(page.locator(".restored-banner")).to_contain_text("Fibre cut on Route 9", timeout=2_000)
    expect(_banner(page)).to_have_count(0)


def test_file_callback_keeps_the_draft_through_a_lost_session(new_page, agent, scene, fast_refresh):
    customer, outage = scene
    page = new_page(agent)
    page.goto(f"/?customer={customer.pk}")
    expect(page.get_by_label("Customer name")).to_have_value("Dana Whitfield")
    expect(page.get_by_label("Reason for the call")).to_have_value(
        "Service outage: Fibre cut on Route 9"
    )
    page.get_by_label("Notes").fill("Needs the line for a medical alarm")

    # The session ends mid-call: the next refresh sends the agent to log in.
    page.context.clear_cookies()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="), timeout=8_000)
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"customer={customer.pk}"))
    expect(page.get_by_label("Notes")).to_have_value("Needs the line for a medical alarm")
    expect(page.get_by_text("Restored what you had typed before")).to_be_visible()

    page.get_by_role("button", name="File callback").click()
    confirmation = page.get_by_role("status").filter(has_text="Callback filed")
    expect(confirmation).to_contain_text("Callback filed for Dana Whitfield")
    expect(confirmation).to_contain_text("within 8 hours of restoration")
    callback = CallbackRequest.objects.get()
    assert (callback.customer_id, callback.outage_id) == (customer.pk, outage.pk)
    assert callback.notes == "Needs the line for a medical alarm"
    # What to tell the customer is on the screen, not above it.
    expect(confirmation).to_be_in_viewport(ratio=1)
    page.screenshot(path="/tmp/live-call-filed.png")

    # Another callback for the same caller (another need): the form comes back filled in.
    page.get_by_role("button", name="File another callback").click()
    expect(page.get_by_label("Customer name")).to_have_value("Dana Whitfield")
    expect(page.get_by_label("Notes")).to_have_value("")
    expect(page.get_by_role("button", name="File callback")).to_be_visible()

    # Filed: the draft is gone.
    page.reload()
    expect(page.get_by_label("Notes")).to_have_value("")


def test_refund_question_records_a_review(new_page, agent, scene):
    customer, outage = scene
    page = new_page(agent)
    page.goto(f"/?customer={customer.pk}")
    _card(page, "Refund question").get_by_role("button", name="Record refund review").click()
    expect(_card(page, "Refund question")).to_contain_text("Refund review recorded")
    assert RefundReview.objects.filter(customer=customer, outage=outage).count() == 1


def test_narrow_window_stacks_outage_before_the_form(new_page, agent, scene):
    customer, _ = scene
    page = new_page(agent, viewport={"width": 390, "height": 844})
    page.goto(f"/?customer={customer.pk}")
    expect(_banner(page)).to_be_visible()
    assert fits_width(page)
    page.screenshot(path="/tmp/live-call-narrow.png", full_page=False)
    banner_y = _banner(page).bounding_box()["y"]
    form_y = page.get_by_role("button", name="File callback").bounding_box()["y"]
    assert banner_y < form_y

    # Filed on a phone: the confirmation is on the screen and fits it.
    page.get_by_role("button", name="File callback").click()
    confirmation = page.get_by_role("status").filter(has_text="Callback filed")
    expect(confirmation).to_contain_text("Callback filed for Dana Whitfield")
    expect(confirmation).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="File another callback")).to_be_visible()
    assert fits_width(page)
    page.mouse.move(0, 0)
    page.screenshot(path="/tmp/live-call-narrow-filed.png", full_page=False)


def test_outage_board_is_accessible(new_page, supervisor, scene):
    page = new_page(supervisor)
    page.goto("/outages/")
    expect(page.get_by_role("link", name="Fibre cut on Route 9")).to_be_visible()
    assert_accessible(page, "the outage board")
    screenshot(page, "outage-board")


def test_systems_outage_takes_the_callers_details_by_hand(new_page, agent, supervisor):
    outage_services.outage_declare(
        actor=supervisor,
        now=timezone.now() - timedelta(minutes=10),
        title="Customer accounts unavailable",
        kind="systems",
        cause="Planned maintenance overran",
    )
    page = new_page(agent)
    page.goto("/")
    expect(_banner(page)).to_contain_text("Our systems are down: Customer accounts unavailable")
    expect(_card(page, "Opening")).to_contain_text("can't open your account")
    page.get_by_label("Customer name").fill("Sam Ortega")
    page.get_by_label("Phone").fill("303 555 0188")
    page.get_by_label("Account number (if the caller knows it)").fill("ACC777")
    page.get_by_label("Reason for the call").fill("Wants to change the billing address")
    page.get_by_role("combobox", name=re.compile(r"^Category")).select_option(label="Account")
    page.get_by_label("Sub-category").select_option(label="Change of details")
    page.get_by_role("button", name="File callback").click()
    expect(page.get_by_role("status").filter(has_text="Callback filed")).to_contain_text(
        "within 8 hours of our systems being restored"
    )
    callback = CallbackRequest.objects.get()
    assert (callback.name, callback.phone, callback.account_number) == (
        "Sam Ortega",
        "+13035550188",
        "ACC777",
    )
    page.screenshot(path="/tmp/live-call-systems.png")


def test_technical_issue_logs_the_ticket_reference(new_page, agent):
    customer = CustomerFactory(name="Ada Brennan", area=ServiceAreaFactory(name="Hillcrest"))
    page = new_page(agent)
    page.goto(f"/?customer={customer.pk}")
    expect(page.get_by_role("heading", name="No known outage in Hillcrest")).to_be_visible()
    page.get_by_label("Support ticket reference").fill("TCK-4471")
    page.get_by_label("Sub-category").select_option(label="Equipment (modem, router, box)")
    page.get_by_role("button", name="File callback").click()
    expect(page.get_by_role("status").filter(has_text="Callback filed")).to_contain_text(
        "we will call them by"
    )
    assert CallbackRequest.objects.get().ticket_reference == "TCK-4471"


def test_sub_categories_follow_the_category(new_page, agent, scene):
    customer, _ = scene
    page = new_page(agent)
    page.goto(f"/?customer={customer.pk}")
    category = page.get_by_label("Category*", exact=True)
    subcategory = page.get_by_label("Sub-category*", exact=True)
    expect(category).to_have_value("outage")
    offered = subcategory.locator("optgroup:not([disabled]) option")
    expect(offered).to_have_count(3)
    expect(offered).to_have_text(["No service at all", "Service drops in and out", "Service slow"])
    category.select_option(label="Billing")
    expect(offered).to_have_text(["Credit for the outage", "Refund request", "Payment or balance"])
    # The outage's sub-category does not belong to billing: it is cleared, not kept.
    expect(subcategory).to_have_value("")


def test_the_name_typed_for_a_caller_found_by_postal_code_fills_the_scripts(new_page, agent, scene):
    CoverageFactory(postal_code="20009", area=scene[0].area)
    page = new_page(agent)
    page.goto("/?q=20009")
    opening = _card(page, "Opening")
    expect(opening).to_contain_text("customer's name")
    page.get_by_label("Customer name").fill("Ravi Shah")
    expect(opening).to_contain_text("Ravi Shah")
    expect(opening).not_to_contain_text("customer's name")
    copy = page.get_by_role("button", name="Copy Opening script")
    assert "Ravi Shah" in copy.get_attribute("data-copy")
    page.get_by_label("Customer name").fill("")
    expect(opening).to_contain_text("customer's name")
