"""Hostile and careless input on the callback pages (issue 13, rows 9, 12, 13 and 16)."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from callbacks import policy
from callbacks.models import CallbackAttempt
from contact import services as contact_services
from contact.views import _text
from core.models import AuditEntry
from tests.callbacks.factories import due_callback

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value, expected",
    [
        ('ok;=HYPERLINK("http://x")', 'ok;\'=HYPERLINK("http://x")'),
        ("=1+1", "'=1+1"),
        ("a, -2", "a, '-2"),
        ("line\n@SUM(A1)", "line\n'@SUM(A1)"),
        ("x | +1", "x | '+1"),
        ("no formula here", "no formula here"),
    ],
)
def test_row9_a_formula_is_neutralised_wherever_a_cell_could_start(value, expected):
    assert _text(value) == expected


def test_row9_the_export_quotes_every_cell_and_neutralises_after_a_semicolon(lead_client, agent):
    callback = due_callback(agent=agent)
    contact_services.callback_record_attempt(
        actor=agent,
        now=timezone.now(),
        callback=callback,
        outcome=policy.ANSWERED,
        category="outage",
        subcategory="no_service",
        notes='ok;=HYPERLINK("http://evil.example","x")',
    )
    today = timezone.localdate()
    response = lead_client.get(reverse("callbacks:call_logs"), {"start": today, "end": today})
    body = b"".join(response.streaming_content).decode()
    assert "=HYPERLINK" in body and ";=HYPERLINK" not in body
    assert body.splitlines()[1].startswith('"')
    (row,) = csv.DictReader(io.StringIO(body))
    assert row["notes"] == 'ok;\'=HYPERLINK("http://evil.example","x")'


def test_export_is_in_the_audit_trail_with_its_range_and_rows(lead_client, team_lead, agent):
    callback = due_callback(agent=agent)
    contact_services.callback_record_attempt(
        actor=agent,
        now=timezone.now(),
        callback=callback,
        outcome=policy.ANSWERED,
        category="outage",
        subcategory="no_service",
    )
    today = timezone.localdate()
    response = lead_client.get(reverse("callbacks:call_logs"), {"start": today, "end": today})
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(action="call_logs.exported")
    assert entry.actor == team_lead
    assert entry.detail == {"start": str(today), "end": str(today), "rows": 1}


@pytest.mark.parametrize("end", ["9999-12-31", "0001-01-01"])
def test_row12_an_export_range_out_of_the_window_is_a_400_naming_the_window(lead_client, end):
    response = lead_client.get(reverse("callbacks:call_logs"), {"start": "2026-01-01", "end": end})
    assert response.status_code == 400
    assert "Pick a day between 2000-01-01 and" in response.content.decode()
    assert not AuditEntry.objects.filter(action="call_logs.exported").exists()


def test_row13_a_non_holder_with_a_stale_number_gets_403_not_the_attempt_count(
    agent_client, agent2
):
    callback = due_callback(agent=agent2, attempts=1, status=policy.RETRY)
    response = agent_client.post(
        reverse("callbacks:record_attempt", args=[callback.pk]),
        {
            "outcome": policy.NO_VOICEMAIL,
            "category": "outage",
            "subcategory": "no_service",
            "expected_number": 1,
        },
    )
    assert response.status_code == 403
    assert "Attempt 1" not in response.content.decode()
    assert not CallbackAttempt.objects.exists()


def test_row13_an_attempt_without_the_expected_number_is_refused(agent_client, agent):
    callback = due_callback(agent=agent)
    data = {"outcome": policy.NO_VOICEMAIL, "category": "outage", "subcategory": "no_service"}
    url = reverse("callbacks:record_attempt", args=[callback.pk])
    first, second = agent_client.post(url, data), agent_client.post(url, data)
    assert (first.status_code, second.status_code) == (400, 400)
    assert "Reload the page" in first.content.decode()
    assert not CallbackAttempt.objects.exists()


def test_row16_the_queue_answers_post_with_405(agent_client):
    assert agent_client.post(reverse("callbacks:queue")).status_code == 405
