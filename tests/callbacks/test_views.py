"""The callback pages through the test client: what agents and team leads see and can do."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callbacks import policy
from callbacks.models import CallbackAttempt, CallbackEvent, CallbackRequest, Letter
from contact import services as contact_services
from tests.factories import CustomerFactory, OutageFactory

from .factories import T0, due_callback

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _post_attempt(client, callback, outcome, headers=None, **fields):
    data = {"outcome": outcome, "category": "outage", "subcategory": "no_service", "consent": "yes"}
    data.update(fields)
    # The page always says which attempt it shows (the form requires it since issue 13).
    data.setdefault("expected_number", CallbackRequest.objects.get(pk=callback.pk).attempts + 1)
    return client.post(
        reverse("callbacks:record_attempt", args=[callback.pk]), data, headers=headers or {}
    )


# Filing (the live-call screen posts the callbacks form)


def _file(client, **fields):
    outage = fields.pop("outage", None) or OutageFactory()
    data = {
        "outage": outage.pk,
        "name": "Ana Lima",
        "phone": "(202) 555-0143",
        "call_reason": "No internet",
        "category": "outage",
        "subcategory": "no_service",
        "preferred_window": "evening",
        **fields,
    }
    return client.post(reverse("console:file_callback"), data)


def test_filing_normalises_the_phone_and_keeps_category_and_window(agent_client):
    response = _file(agent_client, notes="Works nights")
    assert response.status_code == 200
    callback = CallbackRequest.objects.get()
    assert callback.phone == "+12025550143"
    assert (callback.category, callback.subcategory) == ("outage", "no_service")
    assert callback.preferred_window == "evening"
    assert callback.status == policy.WAITING


def test_the_form_offers_the_categories(agent_client):
    response = _file(agent_client, name="")
    page = response.content.decode()
    assert '<option value="billing">Billing</option>' in page
    assert "Credit for the outage" in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("phone", "12", "phone"),
        ("phone", "", "Enter the number to call back."),
        ("name", "   ", "Enter the customer&#x27;s name."),
        ("call_reason", "", "Say why the customer called."),
        ("category", "", "Choose what the call was about."),
        ("category", "weather", "Select a valid choice."),
        ("subcategory", "refund", "This sub-category is not part of the chosen category."),
        ("preferred_window", "midnight", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_written(
    agent_client, field, value, message
):
    response = _file(agent_client, **{field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="error_1_id_{field}"' in page
    error_start = page.index(f'id="error_1_id_{field}"')
    assert message.lower() in page[error_start : error_start + 400].lower()
    assert not CallbackRequest.objects.exists()
    assert not CallbackEvent.objects.exists()


def test_a_second_filing_is_merged_and_the_agent_is_told(agent_client):
    outage = OutageFactory()
    _file(agent_client, outage=outage)
    response = _file(agent_client, outage=outage, phone="202-555-0143", call_reason="Still down")
    assert "already had an open callback" in response.content.decode()
    callback = CallbackRequest.objects.get()
    assert "Still down" in callback.notes


# The callback page


def test_detail_partial_for_htmx(agent_client, agent):
    callback = due_callback(agent=agent)
    response = agent_client.get(reverse("callbacks:detail", args=[callback.pk]), headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert ">Answered</button>" in page
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(agent_client, agent):
    callback = due_callback(agent=agent)
    restore = {**HTMX, "HX-History-Restore-Request": "true"}
    for url in (reverse("callbacks:queue"), reverse("callbacks:detail", args=[callback.pk])):
        assert "<html" in agent_client.get(url, headers=restore).content.decode()


def test_detail_shows_details_scripts_and_one_button_per_outcome(
    agent_client, agent, django_assert_max_num_queries
):
    callback = due_callback(agent=agent)
    with django_assert_max_num_queries(12):
        response = agent_client.get(reverse("callbacks:detail", args=[callback.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert callback.name in page and callback.phone in page
    assert "No internet since the morning" in page
    for label in policy.OUTCOME_LABELS.values():
        assert f">{label}</button>" in page
    assert "Callback: customer answers" in page  # the script before the button
    assert callback.name.split()[0] in page


def test_detail_scripts_show_filled_values_highlighted_and_the_caller_text_escaped(
    agent_client, agent
):
    callback = due_callback(agent=agent)
    CallbackRequest.objects.filter(pk=callback.pk).update(call_reason="<b>Fibre</b> & phone")
    page = agent_client.get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
    assert '<strong class="ph-value">&lt;b&gt;Fibre&lt;/b&gt; &amp; phone</strong>' in page
    assert "&lt;strong" not in page and "<b>Fibre</b>" not in page


def test_an_agent_not_holding_it_sees_no_buttons_and_is_refused(client, agent, agent2):
    callback = due_callback(agent=agent)
    client.force_login(agent2)
    page = client.get(reverse("callbacks:detail", args=[callback.pk])).content.decode()
    assert ">Answered</button>" not in page
    assert "Only the agent who holds it" in page
    response = _post_attempt(client, callback, policy.ANSWERED)
    assert response.status_code == 403
    assert not CallbackAttempt.objects.exists()


def test_logging_a_call_with_htmx_swaps_the_page_body(agent_client, agent):
    callback = due_callback(agent=agent)
    response = _post_attempt(
        agent_client,
        callback,
        policy.NO_VOICEMAIL,
        headers=HTMX,
        notes="Rang 10 times",
        expected_number=1,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert "Call logged: No voicemail." in page
    assert "System Outage Return Call \u2013 No Voicemail" in page
    assert "Rang 10 times" in page
    callback.refresh_from_db()
    assert callback.status == policy.RETRY


def test_a_call_without_its_category_is_refused_beside_the_field(agent_client, agent):
    callback = due_callback(agent=agent)
    response = _post_attempt(agent_client, callback, policy.ANSWERED, category="")
    assert response.status_code == 400
    assert "Choose what the call was about." in response.content.decode()
    # With htmx the refusal is swapped in place (htmx swaps only 2xx responses).
    response = _post_attempt(agent_client, callback, policy.ANSWERED, category="", headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="error_1_id_category"' in page
    assert not CallbackAttempt.objects.exists()
    assert CallbackRequest.objects.get().status == policy.ASSIGNED


def test_a_stale_page_cannot_log_the_same_attempt_again(agent_client, agent):
    callback = due_callback(agent=agent)
    _post_attempt(agent_client, callback, policy.NO_VOICEMAIL, expected_number=1)
    response = _post_attempt(agent_client, callback, policy.NO_VOICEMAIL, expected_number=1)
    assert response.status_code == 409
    assert "already logged" in response.content.decode()
    assert CallbackAttempt.objects.count() == 1
    assert not Letter.objects.exists()


# Letters


def _letter(agent, **customer):
    callback = due_callback(agent=agent, customer=CustomerFactory(**customer))
    contact_services.callback_record_attempt(
        actor=agent,
        now=T0 + timedelta(hours=1),
        callback=callback,
        outcome=policy.WRONG_NUMBER,
        category="outage",
        subcategory="no_service",
    )
    return Letter.objects.get(callback=callback)


def test_letters_queue_lists_letters_to_send(lead_client, agent, django_assert_max_num_queries):
    letters = [_letter(agent) for _ in range(3)]
    with django_assert_max_num_queries(8):
        response = lead_client.get(reverse("callbacks:letters"))
    page = response.content.decode()
    for letter in letters:
        assert letter.name in page
    assert page.count(">Mark sent<") == 3


def test_printable_letter_says_who_why_and_how_to_reach_us(lead_client, agent, settings):
    settings.BRAND_NAME = "Northwind Fibre"
    settings.INBOUND_NUMBER = "+1 800 555 0199"
    letter = _letter(agent, name="Rosa Diaz", address="4 Birch Road", postal_code="20002")
    page = lead_client.get(reverse("callbacks:letter_print", args=[letter.pk])).content.decode()
    for text in ("Rosa Diaz", "4 Birch Road", "20002", "No internet since the morning"):
        assert text in page
    assert "Northwind Fibre" in page and "+1 800 555 0199" in page
    # The print styles moved to a static file: the Content-Security-Policy refuses inline <style>.
    assert "css/letter.css" in page
    assert "@media print" in (settings.BASE_DIR / "static" / "css" / "letter.css").read_text()


def test_mark_sent_from_the_queue(lead_client, agent, team_lead):
    letter = _letter(agent)
    response = lead_client.post(reverse("callbacks:letter_mark_sent", args=[letter.pk]))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT and letter.sent_by == team_lead
    again = lead_client.post(reverse("callbacks:letter_mark_sent", args=[letter.pk]), follow=True)
    assert "already marked sent" in again.content.decode()


# Call-log export


def test_call_logs_export_as_csv_for_the_chosen_days(lead_client, agent):
    in_range = due_callback(agent=agent)
    contact_services.callback_record_attempt(
        actor=agent,
        now=timezone.now(),
        callback=in_range,
        outcome=policy.NO_VOICEMAIL,
        category="billing",
        subcategory="refund",
        notes="=cmd|' /C calc'!A0",
    )
    old = due_callback(agent=agent)
    contact_services.callback_record_attempt(
        actor=agent,
        now=timezone.now() - timedelta(days=10),
        callback=old,
        outcome=policy.ANSWERED,
        category="outage",
        subcategory="no_service",
    )
    today = timezone.localdate()
    response = lead_client.get(
        reverse("callbacks:call_logs"), {"start": today - timedelta(days=1), "end": today}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1
    row = rows[0]
    assert row["callback_id"] == str(in_range.pk)
    assert row["subject"] == "System Outage Return Call \u2013 No Voicemail"
    assert (row["category"], row["subcategory"]) == ("Billing", "Refund request")
    assert row["agent"] == agent.username
    assert row["notes"].startswith("'=")  # not run as a formula by a spreadsheet
    assert row["channel"] == "agent"


def test_call_logs_export_refuses_a_backwards_range(lead_client):
    response = lead_client.get(
        reverse("callbacks:call_logs"), {"start": "2026-11-20", "end": "2026-11-10"}
    )
    assert response.status_code == 400
    assert "The last day cannot be before the first." in response.content.decode()


def test_agents_cannot_export_call_logs(agent_client):
    response = agent_client.get(
        reverse("callbacks:call_logs"), {"start": "2026-11-10", "end": "2026-11-20"}
    )
    assert response.status_code == 403
