"""The analytics page reads summary rows; its figures against the hand count (known_data)."""

import csv
import io

import pytest
from django.urls import reverse

from reports import selectors, services
from reports.models import AgentDaySummary, LookupHourSummary, OutageSummary

from . import known_data

pytestmark = pytest.mark.django_db
RANGE = {"start": "2026-03-01", "end": "2026-03-07"}


@pytest.fixture
def known(django_user_model):
    data = known_data.build(django_user_model)
    services.summaries_refresh(now=known_data.at(23, 30), full=True)
    return data


def test_summaries_hold_the_hand_counted_figures(known):
    summary = OutageSummary.objects.get(outage=known["outage"])
    assert (summary.released, summary.first_in_time, summary.first_success) == (5, 3, 2)
    assert (summary.attempts, summary.retries, summary.letters, summary.lookups) == (6, 2, 1, 3)
    days = {d.agent.username: d for d in AgentDaySummary.objects.select_related("agent")}
    # 13:00-22:00 UTC is 08:00-17:00 in New York: one local day each.
    assert {
        name: (d.day.isoformat(), d.attempts, d.first_attempts, d.in_time)
        for name, d in days.items()
    } == {
        "ada": ("2026-03-02", 3, 2, 3),
        "bob": ("2026-03-02", 3, 2, 2),
    }
    assert sum(LookupHourSummary.objects.values_list("lookups", flat=True)) == 4


def test_a_refresh_is_idempotent(known):
    before = list(OutageSummary.objects.values_list("outage_id", "first_in_time"))
    services.summaries_refresh(now=known_data.at(23, 45))
    services.summaries_refresh(now=known_data.at(23, 45), full=True)
    assert list(OutageSummary.objects.values_list("outage_id", "first_in_time")) == before


def test_analytics_figures(known):
    from datetime import date, timedelta

    a = selectors.analytics(start=date(2026, 3, 1), end=date(2026, 3, 8))
    by_title = {row["outage"].title: row for row in a.outages}
    assert by_title["Fibre cut on Main Street"]["share"] == pytest.approx(0.6)
    assert a.released == 5 + 0 and a.in_time == 3
    assert [(w["week"].isoformat(), w["released"], w["in_time"]) for w in a.weeks] == [
        ("2026-02-23", 0, 0),
        ("2026-03-02", 5, 3),
    ]
    assert {r["key"]: r["count"] for r in a.outcomes}["no_voicemail"] == 3
    assert [(r["name"], r["days"], r["per_day"]) for r in a.agents] == [
        ("Ada Lovelace", 1, 3),
        ("Bob Baker", 1, 3),
    ]
    assert a.agents[1]["in_time_share"] == pytest.approx(2 / 3)
    assert a.etr_median == timedelta(minutes=90) and a.etr_worst == timedelta(hours=2)
    assert dict(a.duration_buckets)["2–4 h"] == 0 and dict(a.duration_buckets)["4–8 h"] == 1
    # Lookups at 01:30, 09:00, 09:05 and 10:00 UTC: 20:30 (the day before), 04:00, 04:05, 05:00.
    assert dict(a.hours)[4] == 2 and dict(a.hours)[5] == 1


def test_analytics_page_and_csv(known, client, team_lead):
    client.force_login(team_lead)
    response = client.get(reverse("reports:analytics"), RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="chart"') == 6
    assert "60.0% of 5 callbacks called within the target" in html
    assert "median <strong>1 h 30 min</strong>, worst <strong>2 h late</strong>" in html
    weeks = client.get(reverse("reports:analytics_csv", args=["weeks"]), RANGE)
    rows = list(csv.reader(io.StringIO(weeks.content.decode())))
    assert rows[0][0] == "week_starting" and ["2026-03-02", "1", "5", "3", "0.6000"] in rows
    agent_days = client.get(reverse("reports:analytics_csv", args=["agent_days"]), RANGE)
    assert "2026-03-02,Bob Baker,3,2,2,0.6667" in agent_days.content.decode()


def test_analytics_page_reads_a_fixed_number_of_queries(
    known, client, team_lead, django_assert_max_num_queries
):
    client.force_login(team_lead)
    with django_assert_max_num_queries(15):
        client.get(reverse("reports:analytics"), RANGE)


def test_analytics_refuses_an_end_before_the_start(known, client, team_lead):
    client.force_login(team_lead)
    response = client.get(
        reverse("reports:analytics"), {"start": "2026-03-07", "end": "2026-03-01"}
    )
    assert "The end date comes before the start date." in response.content.decode()


def test_the_scheduled_task_refreshes_recent_summaries(known):
    from django.conf import settings

    from reports import tasks

    assert (
        settings.CELERY_BEAT_SCHEDULE["reports-refresh-summaries"]["task"]
        == "reports.tasks.refresh_summaries"
    )
    counts = tasks.refresh_summaries.run()
    # The restored outage is still being worked: redone; the one closed long ago is left alone.
    assert counts["outages"] == 1
    assert OutageSummary.objects.count() == 2
