"""The team lead's queue board in a real browser: the bulk assignment offers what is waiting to
be assigned, with how many each has, at a desk's 1280x720 and a phone's 390x844."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from callbacks import policy
from callbacks.models import CallbackRequest
from tests.factories import CallbackFactory, CustomerFactory, OutageFactory, ServiceAreaFactory
from workload import services as distribution

from .conftest import E2E, assert_accessible, fits_width, screenshot

pytestmark = E2E

PHONE = {"width": 390, "height": 844}


def _due(minutes, *, outage, area, status=policy.QUEUED, **extra):
    now = timezone.now()
    return CallbackFactory(
        outage=outage,
        customer=CustomerFactory(area=area),
        status=status,
        due_at=now + timedelta(minutes=minutes),
        released_at=now - timedelta(hours=1),
        **extra,
    )


def _queue(team_lead, agent):
    """Storm damage: 2 callbacks in North, 1 in South, 1 already held; an outage long fixed
    and an area without callbacks, neither of which has anything to assign."""
    now = timezone.now()
    north = ServiceAreaFactory(code="NO-1", name="North")
    south = ServiceAreaFactory(code="SO-1", name="South")
    ServiceAreaFactory(code="EA-1", name="East")
    storm = OutageFactory(title="Storm damage", restored_at=now, status="restored")
    OutageFactory(title="Fixed long ago", restored_at=now, status="restored")
    for minutes in (30, 60):
        _due(minutes, outage=storm, area=north)
    _due(90, outage=storm, area=south)
    distribution.agent_duty_set(actor=team_lead, agent=agent, on_duty=True, now=now)
    _due(20, outage=storm, area=south, status=policy.ASSIGNED, assigned_to=agent, assigned_at=now)
    return north, south


def _options(select):
    return [text.strip() for text in select.locator("option").all_inner_texts()]


def test_a_team_lead_assigns_an_areas_callbacks_from_what_is_waiting(new_page, team_lead, agent):
    north, _ = _queue(team_lead, agent)
    page = new_page(team_lead)
    page.goto(reverse("workload:board"))

    selection = page.locator("section").filter(
        has=page.get_by_role("heading", name="Assign a selection")
    )
    outage = selection.get_by_label("Outage")
    area = selection.get_by_label("Customer's area")
    expect(outage).to_be_visible()
    assert _options(outage) == ["Any outage (3 to assign)", "Storm damage (3 to assign)"]
    assert _options(area) == [
        "Any area (3 to assign)",
        "NO-1 North (2 to assign)",
        "SO-1 South (1 to assign)",
    ]
    expect(selection).to_contain_text("Areas with callbacks to assign.")
    # The queue counts the open work only.
    expect(page.locator('[data-count="open"]')).to_have_text("4")
    expect(page.locator('[data-count="done"]')).to_have_count(0)
    assert_accessible(page, "the queue board")
    screenshot(page, "queue-board-assign-selection")

    selection.get_by_label("Assign to").select_option(label=agent.get_full_name())
    area.select_option(label="NO-1 North (2 to assign)")
    selection.get_by_role("button", name="Assign selection").click()

    expect(page.get_by_role("status")).to_contain_text("2 callbacks")
    assert CallbackRequest.objects.filter(assigned_to=agent, customer__area=north).count() == 2
    # North has nothing left to assign: no longer offered.
    assert _options(page.get_by_label("Customer's area")) == [
        "Any area (1 to assign)",
        "SO-1 South (1 to assign)",
    ]


def test_a_choice_taken_meanwhile_is_explained_beside_its_field(new_page, team_lead, agent):
    _, south = _queue(team_lead, agent)
    page = new_page(team_lead)
    page.goto(reverse("workload:board"))
    page.get_by_label("Assign to").select_option(label=agent.get_full_name())
    page.get_by_label("Customer's area").select_option(label="SO-1 South (1 to assign)")
    # Another team lead gives South's last callback away before this one presses the button.
    waiting = CallbackRequest.objects.get(customer__area=south, assigned_to__isnull=True)
    CallbackRequest.objects.filter(pk=waiting.pk).update(
        status=policy.ASSIGNED, assigned_to=agent, assigned_at=timezone.now()
    )
    page.get_by_role("button", name="Assign selection").click()

    field = page.locator("div").filter(has=page.get_by_label("Customer's area")).last
    expect(field).to_contain_text(
        "No callback in this area is waiting to be assigned any more: choose another."
    )
    assert _options(page.get_by_label("Customer's area")) == [
        "Any area (2 to assign)",
        "NO-1 North (2 to assign)",
    ]
    assert not CallbackRequest.objects.filter(customer__area__code="NO-1", assigned_to=agent)


def test_the_board_reads_on_a_phone(new_page, team_lead, agent):
    _queue(team_lead, agent)
    page = new_page(team_lead, viewport=PHONE)
    page.goto(reverse("workload:board"))

    assert fits_width(page)
    area = page.get_by_label("Customer's area")
    area.scroll_into_view_if_needed()
    expect(area).to_be_visible()
    box = area.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # Each due callback's row gives it to an agent on duty, with what they hold of their cap.
    reassign = page.get_by_label(re.compile("Give the callback for .* to")).first
    assert re.fullmatch(rf"{agent.get_full_name()} \(1 of \d+\)", _options(reassign)[0])
    assert len(_options(reassign)) == 1
    assert_accessible(page, "the queue board at phone width")
    screenshot(page, "queue-board-phone")
