"""The whole journey of one caller, across every role, in a real browser.

An agent finds the customer (by account, phone and address) during an outage and files a
callback; a supervisor marks the outage restored; the callback is in the queue with its
deadline; a team lead distributes the queue; the agent's call finds no voicemail, and again
after the retry window (a controlled clock that the live server's thread shares), so the
no-contact letter appears in the letters queue.

The workers' part (release on restoration) runs through its service here: the browser test is
about the screens, the worker tests about the broker.
"""

import re
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from callbacks import policy
from callbacks import services as callback_services
from callbacks.models import CallbackRequest, Letter
from outages import services as outage_services
from tests.factories import CustomerFactory, ServiceAreaFactory
from workload import services as distribution

from .conftest import E2E, assert_accessible

pytestmark = E2E


RAW = re.compile(r"<strong|<span|&lt;|&gt;|&#x27;|&amp;|&quot;")


def _beside(page, button_name):
    """The block a button sits in (its card or section): what the person reads before
    pressing it."""
    button = page.get_by_role("button", name=button_name, exact=True)
    return page.locator(".card, section").filter(has=button).last


def _reads(block, *texts):
    """The text beside a button says what it should, as a person reads it: no markup."""
    for text in texts:
        expect(block).to_contain_text(text)
    expect(block).not_to_contain_text(RAW)


def _find(page, typed):
    find = page.get_by_label("Find customer")
    find.fill(typed)
    find.press("Enter")


def test_one_caller_from_outage_to_no_contact_letter(new_page, agent, team_lead, supervisor):
    start = timezone.now()
    area = ServiceAreaFactory(code="RV-2", name="Riverside")
    customer = CustomerFactory(
        account_number="ACC555001",
        name="Priya Okafor",
        phone="+12025550177",
        address="3 Linden Close",
        postal_code="20002",
        area=area,
    )
    outage = outage_services.outage_declare(
        actor=supervisor,
        now=start - timedelta(minutes=30),
        title="Riverside cabinet power failure",
        areas=[area],
        service="Home broadband",
        cause="A power failure at the street cabinet",
        etr=start + timedelta(hours=2),
    )
    distribution.agent_duty_set(actor=team_lead, agent=agent, on_duty=True, now=start)

    # The agent finds the caller three ways and sees the outage and its scripts.
    agent_page = new_page(agent)
    agent_page.goto("/")
    for typed in ("ACC555001", "202-555-0177", "3 Linden Close"):
        _find(agent_page, typed)
        expect(agent_page.get_by_role("heading", name="Priya Okafor")).to_be_visible()
        expect(agent_page.locator(".outage-banner")).to_contain_text(
            "Known outage: Riverside cabinet power failure"
        )
        expect(agent_page.locator(".script-card")).to_have_count(6)

    # ... reads the scripts, then files a callback without leaving the page.
    _reads(
        agent_page.locator(".script-card").first,
        "Priya Okafor",
        "Riverside cabinet power failure",
    )
    agent_page.get_by_label("Notes").fill("Works from home; mornings are best")
    filing = _beside(agent_page, "File callback")
    expect(filing.get_by_label("Customer name")).to_have_value("Priya Okafor")
    expect(filing.get_by_label("Reason for the call")).to_have_value(
        "Service outage: Riverside cabinet power failure"
    )
    _reads(filing, "Customer name", "The number to call back")
    agent_page.get_by_role("button", name="File callback").click()
    expect(agent_page.get_by_role("status").filter(has_text="Callback filed")).to_contain_text(
        "within 8 hours of restoration"
    )
    callback = CallbackRequest.objects.get(phone="+12025550177")
    assert (callback.status, callback.customer) == (policy.WAITING, customer)

    # A supervisor marks the outage restored on its page.
    supervisor_page = new_page(supervisor)
    supervisor_page.goto(reverse("outages:detail", args=[outage.pk]))
    _reads(_beside(supervisor_page, "Mark restored"), "Restored at", "Leave empty for now")
    supervisor_page.get_by_role("button", name="Mark restored").click()
    expect(supervisor_page.get_by_text("Marked restored")).to_be_visible()
    outage.refresh_from_db()
    assert outage.restored_at is not None
    # What the worker does on the restoration event (the sweep would do it a minute later).
    callback_services.callbacks_release_for_outage(outage_id=outage.pk, now=timezone.now())
    callback.refresh_from_db()
    assert callback.status == policy.QUEUED
    assert callback.due_at == outage.restored_at + timedelta(hours=8)

    # The callback is on the queue board with its deadline; the team lead distributes.
    lead_page = new_page(team_lead)
    lead_page.goto(reverse("workload:board"))
    row = lead_page.get_by_role("row").filter(has_text="Priya Okafor")
    expect(row).to_be_visible()
    expect(row).to_contain_text(re.compile(r"in 7 h 5\d min|in 8 h"))
    assert_accessible(lead_page, "the queue board")
    _reads(_beside(lead_page, "Distribute queue"), "Distribute the queue", "Automatic runs")
    lead_page.get_by_role("button", name="Distribute queue").click()
    expect(lead_page.get_by_role("row").filter(has_text="Priya Okafor")).to_contain_text(
        agent.get_full_name()
    )
    callback.refresh_from_db()
    assert callback.assigned_to == agent

    # The agent calls: no answer, no voicemail.
    agent_page.goto(reverse("workload:mine"))
    agent_page.get_by_role("link", name=re.compile("Priya Okafor")).first.click()
    assert_accessible(agent_page, "the callback page")
    # Every outcome's script reads as words, with the customer's and the agent's names.
    _reads(
        _beside(agent_page, "Answered"),
        "Callback: customer answers",
        "Hello Priya Okafor, this is Agent Tester calling from",
        "I'm sorry we couldn't help",
    )
    _reads(_beside(agent_page, "Left voicemail"), "Priya Okafor")
    _reads(
        _beside(agent_page, "No voicemail"),
        "no answer and no voicemail",
        "a no-contact letter is sent to Priya Okafor instead",
    )
    agent_page.get_by_role("button", name="No voicemail").click()
    expect(agent_page.get_by_role("cell", name=re.compile("No Voicemail"))).to_be_visible()
    callback.refresh_from_db()
    assert (callback.status, callback.attempts) == (policy.RETRY, 1)
    retry_due = callback.due_at
    assert retry_due <= timezone.now() + timedelta(hours=2)

    # After the retry window, the second call finds no voicemail either: a letter.
    with time_machine.travel(retry_due - timedelta(minutes=5), tick=True):
        callback_services.callbacks_sweep(now=timezone.now())
        agent_page.reload()
        _reads(_beside(agent_page, "No voicemail"), "Priya Okafor")
        agent_page.get_by_role("button", name="No voicemail").click()
        expect(agent_page.get_by_role("cell", name=re.compile("No Voicemail"))).to_have_count(2)
        callback.refresh_from_db()
        assert (callback.status, callback.attempts) == (policy.LETTER, 2)

        lead_page.goto(reverse("callbacks:letters"))
        expect(lead_page.get_by_role("row").filter(has_text="Priya Okafor")).to_contain_text(
            "3 Linden Close"
        )
    assert Letter.objects.filter(callback=callback, status=Letter.Status.TO_SEND).exists()


def test_an_agent_claims_the_next_callback_and_calls_it(new_page, agent, team_lead):
    """Claim next callback takes the earliest one due; its page reads the scripts to use."""
    now = timezone.now()
    area = ServiceAreaFactory(code="HB-1", name="Harbour")
    outage = outage_services.outage_declare(
        actor=team_lead,
        now=now - timedelta(hours=3),
        title="Harbour exchange power failure",
        areas=[area],
    )
    for name, minutes in (("Later Caller", 10), ("Earliest Caller", 30)):
        person = CustomerFactory(name=name, area=area)
        callback_services.callback_file(
            actor=agent,
            now=now - timedelta(minutes=minutes),
            outage=outage,
            customer=person,
            name=person.name,
            phone=person.phone,
            call_reason="No broadband",
            category="outage",
            subcategory="no_service",
        )
    outage_services.outage_restore(actor=team_lead, now=now - timedelta(hours=1), outage=outage)
    callback_services.callbacks_release_for_outage(outage_id=outage.pk, now=now)
    distribution.agent_duty_set(actor=team_lead, agent=agent, on_duty=True, now=now)

    page = new_page(agent)
    page.goto(reverse("workload:mine"))
    _reads(page.locator("tbody"), "You hold no callbacks", "Claim next callback")
    page.get_by_role("button", name="Claim next callback").click()
    row = page.get_by_role("row").filter(has_text="Caller")
    expect(row).to_have_count(1)
    # Both were filed for the same outage: the deadline is the same; the queue's order holds.
    claimed = CallbackRequest.objects.get(assigned_to=agent)
    expect(row).to_contain_text(claimed.name)
    expect(row).to_contain_text("(202) 555-")
    page.get_by_role("link", name=f"Call {claimed.name}").click()
    _reads(
        _beside(page, "Answered"),
        f"Hello {claimed.name}, this is Agent Tester calling from",
    )
    # Answered asks whether the customer agreed to continue on a recorded line.
    page.get_by_label("Yes, agreed").check()
    page.get_by_role("button", name="Answered").click()
    expect(page.get_by_role("status")).to_contain_text("Call logged: Answered")
    claimed.refresh_from_db()
    assert claimed.status == policy.DONE
