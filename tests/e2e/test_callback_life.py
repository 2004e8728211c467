"""A callback's life on its page, in a real browser at phone width: the customer gives a
second number and a time to call, the first number turns out wrong, then the customer cancels
and a team lead reopens it."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from callbacks import policy
from callbacks.models import CallbackRequest
from tests.factories import CallbackFactory, CustomerFactory, OutageFactory, ServiceAreaFactory

from .conftest import E2E, assert_accessible, fits_width, screenshot

pytestmark = E2E

PHONE = {"width": 390, "height": 844}
# What sticks out of the window, outside the containers that scroll on their own.
WIDER_THAN_THE_WINDOW = (
    "Array.from(document.querySelectorAll('body *'))"
    ".filter(e => !e.closest('.table-responsive')"
    " && e.getBoundingClientRect().right > window.innerWidth + 1)"
    ".map(e => e.tagName + '.' + e.className).slice(0, 8)"
)


def test_second_number_preferred_time_wrong_number_cancel_and_reopen(new_page, agent, team_lead):
    now = timezone.now()
    area = ServiceAreaFactory(code="HL-1", name="Hillside")
    customer = CustomerFactory(name="Marta Quinn", phone="+12025550188", area=area)
    outage = OutageFactory(
        areas=[area], status="restored", started_at=now - timedelta(hours=4), restored_at=now
    )
    callback = CallbackFactory(
        outage=outage,
        customer=customer,
        name=customer.name,
        phone=customer.phone,
        call_reason="No internet",
        category="outage",
        subcategory="no_service",
        status=policy.ASSIGNED,
        due_at=now + timedelta(hours=8),
        released_at=now,
        assigned_to=agent,
        assigned_at=now,
    )

    page = new_page(agent, viewport=PHONE)
    page.goto(reverse("callbacks:detail", args=[callback.pk]))
    assert fits_width(page)
    assert_accessible(page, "the callback page at phone width")

    # A second number, tried after the first.
    page.get_by_label("Second number").fill("(202) 555-0199")
    page.get_by_role("button", name="Save numbers").click()
    expect(page.get_by_role("status")).to_contain_text("Numbers saved")

    # The customer wants a call tomorrow, after the 8-hour target: rescheduled at their request.
    start = timezone.localtime(now) + timedelta(days=1)
    page.get_by_label("When does the customer want the call?").select_option(
        label="A specific time"
    )
    page.get_by_label("From (a specific time)").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Until").fill((start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save preferred time").click()
    expect(page.get_by_role("status")).to_contain_text("Preferred time saved")
    expect(page.get_by_text("Rescheduled at the customer's request")).to_be_visible()
    callback.refresh_from_db()
    assert callback.rescheduled_by_customer and callback.window_start is not None

    # The first number is wrong: the next call goes to the second, no letter.
    page.get_by_role("button", name="Wrong number").click()
    expect(page.get_by_role("status")).to_contain_text("Call logged: Wrong number")
    expect(page.locator('a[href="tel:+12025550199"]').first).to_be_visible()
    callback.refresh_from_db()
    assert (callback.status, callback.dial_position) == (policy.ASSIGNED, 2)

    # The customer calls to say the service is back: cancelled, off the queue.
    page.get_by_label("Why cancel this callback?").select_option(label="Customer asked")
    page.get_by_label("Cancellation note").fill("Service is back")
    page.get_by_role("button", name="Cancel callback").click()
    expect(page.get_by_role("status")).to_contain_text("Callback cancelled")
    expect(page.get_by_text(re.compile("Customer asked \\(Service is back\\)"))).to_be_visible()
    wide = page.evaluate(WIDER_THAN_THE_WINDOW)
    assert fits_width(page), wide
    screenshot(page, "callback-cancelled-phone")
    assert CallbackRequest.objects.get(pk=callback.pk).status == policy.CANCELLED

    # A team lead reopens it the same day.
    lead = new_page(team_lead)
    lead.goto(reverse("callbacks:detail", args=[callback.pk]))
    lead.get_by_label("Why reopen it?").fill("Customer called again")
    lead.get_by_role("button", name="Reopen callback").click()
    expect(lead.get_by_role("status")).to_contain_text("Callback reopened")
    callback.refresh_from_db()
    assert callback.status == policy.QUEUED and callback.rescheduled_by_customer
