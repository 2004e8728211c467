"""The post-incident report's figures against the ones worked out by hand (known_data.py)."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from reports import selectors

from . import known_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(django_user_model):
    return known_data.build(django_user_model)


def test_report_figures_match_the_hand_count(known):
    report = selectors.post_incident_report(known["outage"].pk, now=known_data.at(23, 30))

    assert report.duration == timedelta(hours=4)
    assert report.customers_affected == 5
    assert [(area.code, n) for area, n in report.areas] == [("RA", 3), ("RB", 2)]
    assert report.lookups == 3
    assert report.channels == [("Live call", 5)]
    assert report.callbacks == 5
    assert report.released == 5
    assert report.in_time == 3
    assert report.in_time_share == pytest.approx(0.6)
    assert report.first_attempts == 4
    assert report.first_success == 2
    assert report.first_success_share == pytest.approx(0.5)
    assert report.attempts == 6
    assert report.retries == 2
    assert {row["key"]: row["count"] for row in report.outcomes} == {
        "answered": 1,
        "voicemail": 2,
        "no_voicemail": 3,
        "wrong_number": 0,
        "still_without_service": 0,
    }
    assert (report.letters, report.letters_sent) == (1, 0)
    assert report.still_open == 1
    assert len(report.refund_reviews) == 3
    assert [(r["area"], r["requested"], r["reviewed"]) for r in report.refunds_by_area] == [
        ("RA", 2, 1),
        ("RB", 1, 0),
    ]
    assert report.notifications_sent == 8
    assert [(r["event"], r["channel"], r["status"], r["count"]) for r in report.notifications] == [
        ("declared", "sms", "queued", 1),
        ("declared", "sms", "sent", 1),
        ("declared", "sms", "delivered", 3),
        ("declared", "sms", "failed", 1),
        ("declared", "email", "sent", 2),
        ("restored", "sms", "delivered", 2),
        ("restored", "sms", "opted_out", 1),
        ("callback_filed", "sms", "queued", 1),
    ]
    assert [row.error for row in report.etrs] == [timedelta(hours=2), timedelta(hours=1)]
    assert report.etr_median == timedelta(minutes=90)
    assert report.etr_worst == timedelta(hours=2)
    assert report.etr_worst_text == "2 h late"
    assert [(a["name"], a["attempts"], a["done"]) for a in report.agents] == [
        ("Ada Lovelace", 3, 2),
        ("Bob Baker", 3, 1),
    ]
    whats = [entry.what for entry in report.timeline]
    assert whats == [
        "Declared",
        "Identified, ETR given",
        "Monitoring, ETR changed",
        "Restored",
        "Closed",
    ]


def test_report_page_shows_the_figures_and_charts(known, client, team_lead):
    client.force_login(team_lead)
    response = client.get(reverse("reports:outage_report", args=[known["outage"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="in_time_share">60.0%' in html
    assert 'data-figure="first_success_share">50.0%' in html
    assert html.count('<svg class="chart"') == 4
    assert 'data-figure="notifications">8<' in html
    assert '<tr data-notifications="restored sms delivered">' in html
    assert '<title id="chart-sla-title">' in html
    assert "reports-print.css" in html
    assert "<script>" not in html and "onclick" not in html


def test_report_csv_carries_the_same_figures(known, client, team_lead):
    client.force_login(team_lead)
    response = client.get(reverse("reports:outage_report_csv", args=[known["outage"].pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = {(s, f): v for s, f, v in csv.reader(io.StringIO(response.content.decode()))}
    assert rows[("callbacks", "called_within_target")] == "3"
    assert rows[("callbacks", "called_within_target_share")] == "0.6000"
    assert rows[("attempts", "No voicemail")] == "3"
    assert rows[("etr", "median_error_minutes")] == "90.0"
    assert rows[("customers", "affected_in_directory")] == "5"
    assert rows[("notifications", "sent")] == "8"
    assert rows[("notifications", "declared sms delivered")] == "3"
    assert rows[("notifications", "callback_filed sms queued")] == "1"


def test_no_report_before_restoration(client, team_lead):
    from tests.factories import OutageFactory

    client.force_login(team_lead)
    outage = OutageFactory()
    response = client.get(reverse("reports:outage_report", args=[outage.pk]))
    assert response.status_code == 404


def test_archive_searches_by_title_area_date_and_status(known, client, team_lead):
    client.force_login(team_lead)
    url = reverse("reports:archive")
    found = client.get(
        url,
        {
            "q": "fibre main",
            "area": "rb",
            "start": "2026-03-01",
            "end": "2026-03-02",
            "status": "closed",
        },
    )
    assert found.status_code == 200
    assert "Report on Fibre cut on Main Street" in found.content.decode()
    for miss in ({"q": "power"}, {"area": "RC"}, {"start": "2026-03-03"}, {"status": "restored"}):
        html = client.get(url, miss).content.decode()
        assert "Fibre cut on Main Street" not in html, miss
