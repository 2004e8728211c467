"""The staffing alarm on real rows: the refresh service, the restoration trigger and the board."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callbacks.models import AgentDuty
from planning.models import StaffingForecast
from tests.callbacks.factories import due_callback, restored_outage
from tests.conftest import make_user
from workload import selectors as workload_selectors
from workload import services as workload_services

pytestmark = pytest.mark.django_db


def _on_duty(django_user_model, count):
    now = timezone.now()
    for i in range(count):
        user = make_user(django_user_model, f"duty-{i}", "Agent")
        AgentDuty.objects.create(agent=user, on_duty=True, changed_at=now)


def test_refresh_forecasts_the_real_queue(django_user_model):
    now = timezone.now()
    outage = restored_outage(restored_at=now - timedelta(hours=1))
    for _ in range(60):
        due_callback(outage=outage, restored_at=outage.restored_at)
    _on_duty(django_user_model, 1)
    row = workload_services.staffing_forecast_refresh(now=now, outage_id=outage.pk)
    assert (row.open_callbacks, row.agents_on_duty, row.already_late) == (60, 1, 0)
    assert row.will_miss > 0 and row.agents_needed > 1
    assert row.trigger == "restoration" and not row.handle_observed
    alarm = workload_selectors.staffing_alarm(now=now)
    assert alarm.alarm and alarm.forecast == row
    assert f"with {row.agents_needed} agents all are called in time" in alarm.sentence
    assert workload_selectors.staffing_forecasts_for_outage(outage.pk) == [row]


def test_release_on_restoration_asks_for_a_forecast(django_capture_on_commit_callbacks):
    from callbacks import services
    from tests.factories import CallbackFactory

    now = timezone.now()
    outage = restored_outage(restored_at=now)
    CallbackFactory(outage=outage)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.callbacks_release_for_outage(outage_id=outage.pk, now=now)
    # Work is due (distribute), released (the staffing forecast), callbacks changed (webhooks).
    assert len(callbacks) == 3
    from callbacks import events
    from workload import subscribers

    assert subscribers.forecast_when_released in events._released


def test_board_shows_the_alarm_and_the_capacity_bound(django_user_model, lead_client):
    now = timezone.now()
    StaffingForecast.objects.create(
        computed_at=now,
        open_callbacks=1300,
        agents_on_duty=18,
        will_miss=412,
        agents_needed=27,
        capacity_bound=1100,
        handle_minutes=12,
    )
    html = lead_client.get(reverse("workload:board")).content.decode()
    assert (
        "412 of 1,300 callbacks will miss the 8-hour target with 18 agents on duty; "
        "with 27 agents all are called in time." in html
    )
    assert "no plan at all could call more than 1,100 of 1,300 in time" in html
    partial = lead_client.get(reverse("workload:board"), headers={"HX-Request": "true"})
    assert 'data-staffing="alarm"' in partial.content.decode()


def test_old_scheduled_forecasts_are_pruned(django_user_model):
    now = timezone.now()
    StaffingForecast.objects.create(
        computed_at=now - timedelta(days=8),
        open_callbacks=0,
        agents_on_duty=0,
        will_miss=0,
        capacity_bound=0,
        handle_minutes=12,
    )
    workload_services.staffing_forecast_refresh(now=now)
    assert StaffingForecast.objects.count() == 1
