"""Declaring an outage in a real browser: find the areas by typing, tick them, declare."""

from django.urls import reverse
from playwright.sync_api import expect

from outages.models import Outage
from tests.factories import ServiceAreaFactory

from .conftest import E2E

pytestmark = E2E


def test_a_supervisor_finds_areas_by_typing_and_ticks_them(new_page, supervisor):
    ServiceAreaFactory(code="NE-01", name="Northgate", region="North")
    ServiceAreaFactory(code="NE-02", name="Riverside", region="North")
    ServiceAreaFactory(code="SO-01", name="Southfield", region="South")
    page = new_page(supervisor)
    page.goto(reverse("outages:declare"))
    page.get_by_label("Title").fill("Fibre cut north of the river")
    page.get_by_label("Find an area").fill("river")
    expect(page.get_by_label("Riverside (NE-02) · North")).to_be_visible()
    expect(page.get_by_label("Northgate (NE-01) · North")).to_be_hidden()
    expect(page.get_by_text("1 area shown")).to_be_visible()
    page.get_by_label("Riverside (NE-02) · North").check()
    page.get_by_label("Find an area").fill("NE-01")
    page.get_by_label("Northgate (NE-01) · North").check()
    # What is ticked stays in view whatever is typed.
    expect(page.get_by_label("Riverside (NE-02) · North")).to_be_visible()
    page.get_by_role("button", name="Declare outage").click()
    expect(page.get_by_role("heading", name="Fibre cut north of the river")).to_be_visible()
    outage = Outage.objects.get()
    assert sorted(outage.areas.values_list("code", flat=True)) == ["NE-01", "NE-02"]
