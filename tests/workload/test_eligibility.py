"""What may be offered to agents: nothing outside calling hours, nothing before the customer's
window opens, nothing escalated to the team leads; and the board's closed-hours counts.
T0 is 09:00 in New York (calls from 08:00 to 21:00)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from schedule import policy as schedule
from workload import selectors, services

from .factories import T0, AgentFactory, due, on_duty

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calling_hours")]

NIGHT = T0 + timedelta(hours=13)  # 22:00 in New York


def test_claim_skips_a_callback_whose_window_has_not_opened(agent):
    on_duty(agent)
    later = due(10, window_start=T0 + timedelta(hours=8), preferred_window=schedule.EVENING)
    now_ok = due(60)
    assert services.callback_claim_next(agent=agent, now=T0) == now_ok
    assert services.callback_claim_next(agent=agent, now=T0) is None
    claimed = services.callback_claim_next(agent=agent, now=T0 + timedelta(hours=8))
    assert claimed == later


def test_nothing_is_claimed_or_distributed_outside_calling_hours(agent, team_lead):
    on_duty(agent)
    callback = due(10)
    assert services.callback_claim_next(agent=agent, now=NIGHT) is None
    run = services.queue_distribute(
        actor=team_lead, now=NIGHT, strategy=services.LEAST_LOADED, cap=10
    )
    assert run.assigned == 0
    run = services.queue_distribute(actor=team_lead, now=T0, strategy=services.LEAST_LOADED, cap=10)
    assert run.assigned == 1
    callback.refresh_from_db()
    assert callback.assigned_to == agent


def test_distribution_leaves_windows_not_yet_open_and_escalations(team_lead):
    agent = on_duty(AgentFactory())
    due(10, window_start=T0 + timedelta(hours=1), preferred_window=schedule.SLOT)
    due(20, escalated_at=T0, escalation_reason="Manager", escalation_due_at=T0)
    offered = due(30)
    services.queue_distribute(actor=team_lead, now=T0, strategy=services.ROUND_ROBIN, cap=10)
    assert list(agent.assigned_callbacks.values_list("pk", flat=True)) == [offered.pk]


def test_the_board_shows_deadlines_in_closed_hours_and_calling_hours(team_lead, client):
    due(10, deadline_moved=schedule.BROUGHT_FORWARD)
    due(20, deadline_moved=schedule.MOVED_TO_OPENING)
    board = selectors.queue_board(now=NIGHT)
    assert board.closed_hours["total"] == 2 and not board.calling_now
    client.force_login(team_lead)
    page = client.get(reverse("workload:board")).content.decode()
    assert "Deadlines in closed hours" in page
    assert "1 brought forward to closing, 1 moved to the next opening" in page
    assert "Calling hours 08:00&ndash;21:00" in page
