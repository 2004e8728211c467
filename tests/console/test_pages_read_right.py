"""What a person reads on the pages: one phone format, names not logins, the centre's time
zone, restored outages folded into one line, address matches that say there are more, the
outage page's forms with their own ids, a 403 that explains itself, and the warnings filing
gives for a phone with letters or an account number the directory does not hold."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from callbacks import policy
from callbacks import services as callback_services
from callbacks.models import CallbackRequest
from contact import services as contact_services
from outages import services as outage_services
from outages.normalise import InvalidPhone, phone_display, phone_with_extension
from tests.callbacks.factories import due_callback
from tests.factories import CoverageFactory, CustomerFactory, OutageFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def _visible(response):
    """The page's text without its tags, as a person reads it (entities left as they are)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(202) 555-0123", "+12025550123"),
        ("+1 202 555 0123 ext 5", "+12025550123;ext=5"),
        ("202-555-0123 x12", "+12025550123;ext=12"),
        ("202.555.0123 extension 301", "+12025550123;ext=301"),
        ("+12025550123;ext=7", "+12025550123;ext=7"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_a_callback_number_keeps_its_extension(typed, stored):
    assert phone_with_extension(typed, region="US") == stored


def test_letters_in_a_number_are_refused_with_how_they_read():
    with pytest.raises(InvalidPhone, match=r"202-555-CALL reads as 202-555-2255"):
        phone_with_extension("202-555-CALL", region="US")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+12025550051", "(202) 555-0051"),
        ("+12025550123;ext=5", "(202) 555-0123 ext. 5"),
        ("+442079460958", "+442079460958"),
        ("+442079460958;ext=9", "+442079460958 ext. 9"),
    ],
)
def test_one_way_to_read_a_number(stored, shown):
    assert phone_display(stored, region="US") == shown


def test_filing_with_letters_in_the_phone_is_refused_beside_the_field(agent_client):
    outage = OutageFactory()
    response = agent_client.post(
        reverse("console:file_callback"),
        {
            "outage": outage.pk,
            "name": "Ana Lima",
            "phone": "202-555-CALL",
            "call_reason": "No internet",
            "category": "outage",
            "subcategory": "no_service",
            "preferred_window": "any",
        },
    )
    assert response.status_code == 400
    assert "reads as 202-555-2255" in _text(response)
    assert not CallbackRequest.objects.exists()


def test_callback_pages_show_the_phone_as_the_live_call_does(agent_client, agent):
    callback = due_callback(agent=agent)
    CallbackRequest.objects.filter(pk=callback.pk).update(phone="+12025550051")
    shown = "(202) 555-0051"
    detail = _text(agent_client.get(reverse("callbacks:detail", args=[callback.pk])))
    assert shown in detail and ">+12025550051<" not in detail
    assert 'href="tel:+12025550051"' in detail
    assert shown in _text(agent_client.get(reverse("callbacks:queue")))
    assert shown in _text(agent_client.get(reverse("workload:mine")))


# --- names and times ------------------------------------------------------------------------


def test_the_queue_names_agents_as_the_board_does(agent_client, agent):
    due_callback(agent=agent)
    page = _text(agent_client.get(reverse("callbacks:queue")))
    assert f"<td>{agent.get_full_name()}</td>" in page
    assert "<td>agent</td>" not in page


def test_a_finished_callback_names_who_made_the_last_call(agent_client, agent):
    callback = due_callback(agent=agent)
    contact_services.callback_record_attempt(
        actor=agent,
        now=callback.due_at - timedelta(hours=1),
        callback=callback,
        outcome=policy.ANSWERED,
        category="outage",
        subcategory="no_service",
    )
    callback.refresh_from_db()
    assert callback.status == policy.DONE
    page = _text(agent_client.get(reverse("callbacks:detail", args=[callback.pk])))
    assert "Nobody yet" not in page
    assert f"{agent.get_full_name()} (made the last call)" in page


def test_a_merged_filing_stamps_its_note_in_the_centres_zone(agent, settings):
    settings.TIME_ZONE = "America/New_York"
    outage = OutageFactory()
    fields = {
        "name": "Ana Lima",
        "phone": "+12025550143",
        "call_reason": "No internet",
        "category": "outage",
        "subcategory": "no_service",
    }
    with time_machine.travel(NOW, tick=False):
        callback_services.callback_file(actor=agent, now=NOW, outage=outage, **fields)
        callback_services.callback_file(
            actor=agent, now=NOW + timedelta(minutes=52), outage=outage, **fields
        )
    notes = CallbackRequest.objects.get().notes
    # 15:52 UTC is 10:52 in New York.
    assert "Mon 23 Nov, 10:52 AM EST" in notes
    assert "UTC" not in notes


# --- the live call --------------------------------------------------------------------------


def test_restored_outages_fold_into_one_line_newest_first(agent_client, supervisor):
    area = ServiceAreaFactory()
    customer = CustomerFactory(area=area)
    for hours, title in ((30, "Oldest"), (20, "Middle"), (8, "Newest")):
        outage = outage_services.outage_declare(
            actor=supervisor, now=NOW - timedelta(hours=hours), title=title, areas=[area]
        )
        outage_services.outage_restore(
            actor=supervisor, now=NOW - timedelta(hours=hours - 2), outage=outage
        )
    with time_machine.travel(NOW, tick=False):
        page = _text(agent_client.get(reverse("console:home"), {"customer": customer.pk}))
    assert page.count('class="alert alert-success') == 1
    assert "Restored: Newest" in page
    assert "2 earlier restored outages in this area" in page
    assert page.index("Middle") < page.index("Oldest")


def test_address_matches_say_there_are_more_and_sort_house_numbers(agent_client, postgres_only):
    area = ServiceAreaFactory()
    for number in (205, 24, 3, 1000, 31, 7, 88, 150, 12):
        CustomerFactory(address=f"{number} Quay Street", area=area)
    page = _text(agent_client.get(reverse("console:home"), {"q": "Quay Street"}))
    shown = [int(n) for n in re.findall(r"(\d+) Quay Street", page)]
    assert shown == [3, 7, 12, 24, 31, 88, 150, 205]
    assert "More customers match: these are the first 8." in page
    suggestions = _text(agent_client.get(reverse("console:suggest"), {"q": "Quay Street"}))
    assert "More match: keep typing" in suggestions


def test_an_unknown_account_typed_by_hand_is_filed_with_a_warning_and_a_note(
    agent_client, supervisor
):
    area = ServiceAreaFactory()
    CoverageFactory(postal_code="20777", area=area)
    outage = outage_services.outage_declare(
        actor=supervisor, now=NOW, title="Fibre cut", areas=[area]
    )
    response = agent_client.post(
        reverse("console:file_callback"),
        {
            "outage": outage.pk,
            "path": "outage",
            "name": "Ana Lima",
            "phone": "(202) 555-0143",
            "account_number": "NOSUCH-00000",
            "call_reason": "No internet",
            "category": "outage",
            "subcategory": "no_service",
            "preferred_window": "any",
        },
        headers={"HX-Request": "true"},
    )
    page = _text(response)
    assert "Callback filed for Ana Lima" in page
    assert "Account number NOSUCH-00000 is not in our directory." in page
    callback = CallbackRequest.objects.get()
    assert callback.account_number == "NOSUCH-00000"
    assert "NOSUCH-00000 (typed by hand) is not in our directory" in callback.notes


# --- the outage page and the refusal --------------------------------------------------------


def test_the_outage_page_has_one_way_to_change_the_etr_and_no_repeated_ids(
    supervisor_client, supervisor
):
    area = ServiceAreaFactory()
    outage = outage_services.outage_declare(
        actor=supervisor, now=NOW, title="Fibre cut", areas=[area]
    )
    page = supervisor_client.get(reverse("outages:detail", args=[outage.pk])).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert page.count('name="etr"') == 1
    assert "Change ETR" not in page
    for for_id in re.findall(r'<label for="([^"]+)"', page):
        assert page.count(f'id="{for_id}"') == 1
        assert page.count(f'for="{for_id}"') == 1


def test_a_refusal_says_which_role_the_page_needs_and_keeps_the_navigation(agent_client):
    response = agent_client.get(reverse("outages:board"))
    assert response.status_code == 403
    page = _visible(response)
    assert "This page is for supervisors." in page
    assert "You are signed in as Agent Tester (Agent)" in page
    assert 'aria-label="Main"' in response.content.decode()
    assert "Back to the live call" in page
