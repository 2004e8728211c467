"""The Content-Security-Policy in a real browser: the console's pages work under it, and the
browser reports nothing it refused (issue 13, row 15)."""

import pytest
from playwright.sync_api import expect

from tests.factories import CustomerFactory, ServiceAreaFactory

from .conftest import E2E

pytestmark = E2E


def _watch(page):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    return refused


@pytest.mark.parametrize(
    "who, path",
    [
        ("team_lead", "/workload/"),
        ("supervisor", "/outages/"),
        ("supervisor", "/scripts/"),
        ("supervisor", "/security/audit/"),
    ],
)
def test_pages_run_under_the_policy_with_nothing_refused(new_page, request, who, path):
    page = new_page(request.getfixturevalue(who))
    refused = _watch(page)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert refused == []


def test_the_lookup_suggests_under_the_policy(new_page, agent):
    area = ServiceAreaFactory(name="Northgate")
    CustomerFactory(name="Dana Whitfield", address="14 Juniper Lane", area=area)
    page = new_page(agent)
    refused = _watch(page)
    page.goto("/")
    page.get_by_label("Find customer").fill("Juniper")
    expect(page.locator("#suggestions")).to_contain_text("Dana Whitfield")
    assert refused == []
