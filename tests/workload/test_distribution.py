"""Distribution: strategies, the cap, bulk assignment, reassign/unassign, duty, claiming."""

from datetime import timedelta

import pytest
from django.urls import reverse

from callbacks import policy
from callbacks.events import announce_work_due
from callbacks.models import AgentDuty, CallbackEvent, CallbackRequest, DistributionRun
from core.models import AuditEntry
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory
from workload import services
from workload.services import DistributionError, Selection

from .factories import T0, AgentFactory, due, on_duty

pytestmark = pytest.mark.django_db


def _held(agent):
    return list(
        CallbackRequest.objects.filter(assigned_to=agent)
        .order_by("due_at")
        .values_list("pk", flat=True)
    )


def test_least_loaded_gives_the_earliest_deadline_to_the_least_loaded_agent(team_lead):
    busy, idle = on_duty(AgentFactory()), on_duty(AgentFactory())
    for minutes in (300, 310):
        due(minutes, status=policy.ASSIGNED, agent=busy)
    queue = [due(m) for m in (60, 20, 40, 80)]  # earliest: queue[1], queue[2], queue[0]...

    run = services.queue_distribute(actor=team_lead, now=T0, strategy=services.LEAST_LOADED, cap=10)

    # idle takes the two earliest (levels 1 and 2), then both are at 2: the turn alternates.
    assert _held(idle)[:2] == [queue[1].pk, queue[2].pk]
    assert len(_held(idle)) == 3 and len(_held(busy)) == 3
    assert run.assigned == 4 and run.strategy == services.LEAST_LOADED and run.cap == 10
    assert run.started_by == team_lead
    assert CallbackRequest.objects.filter(status=policy.QUEUED).count() == 0


def test_round_robin_deals_in_turn_whatever_agents_hold(team_lead):
    busy, idle = on_duty(AgentFactory()), on_duty(AgentFactory())
    for minutes in (300, 310, 320):
        due(minutes, status=policy.ASSIGNED, agent=busy)
    queue = [due(m) for m in (10, 20, 30, 40)]

    services.queue_distribute(actor=team_lead, now=T0, strategy=services.ROUND_ROBIN)

    # idle (holding nothing) goes first, then busy, in turn, earliest deadline first.
    assert [pk for pk in _held(idle)] == [queue[0].pk, queue[2].pk]
    assert [queue[1].pk, queue[3].pk] == [pk for pk in _held(busy) if pk in {q.pk for q in queue}]


def test_the_cap_limits_what_each_agent_holds_and_an_own_cap_replaces_it(team_lead):
    trainee = on_duty(AgentFactory(), cap=1)
    senior = on_duty(AgentFactory())
    due(5, status=policy.ASSIGNED, agent=senior)
    for minutes in range(10, 20):
        due(minutes)

    run = services.queue_distribute(actor=team_lead, now=T0, strategy=services.LEAST_LOADED, cap=3)

    assert len(_held(trainee)) == 1
    assert len(_held(senior)) == 3  # one held before, two more up to the cap of 3
    assert run.assigned == 3
    assert CallbackRequest.objects.filter(status=policy.QUEUED).count() == 7
    # Nothing more fits: a second run assigns nothing.
    again = services.queue_distribute(actor=team_lead, now=T0, strategy=services.ROUND_ROBIN, cap=3)
    assert again.assigned == 0


def test_distribution_moves_queued_to_assigned_keeps_retry_and_records_events(team_lead):
    agent = on_duty(AgentFactory(first_name="Ana", last_name="Diaz"))
    queued, retry = due(10), due(20, status=policy.RETRY, attempts=1)
    waiting = due(5, status=policy.WAITING)
    CallbackRequest.objects.filter(pk=waiting.pk).update(due_at=None)
    off = AgentFactory()  # no duty row: never gets work

    services.queue_distribute(actor=team_lead, now=T0, strategy=services.LEAST_LOADED)

    queued.refresh_from_db()
    retry.refresh_from_db()
    assert (queued.status, queued.assigned_to, queued.assigned_at) == (policy.ASSIGNED, agent, T0)
    assert (retry.status, retry.assigned_to) == (policy.RETRY, agent)
    assert _held(off) == []
    events = {e.callback_id: e for e in CallbackEvent.objects.all()}
    assert (events[queued.pk].from_status, events[queued.pk].to_status) == ("queued", "assigned")
    assert (events[retry.pk].from_status, events[retry.pk].to_status) == ("retry", "retry")
    assert events[queued.pk].actor == team_lead and events[queued.pk].at == T0
    assert events[queued.pk].reason.startswith("Assigned to Ana Diaz (Earliest deadline first")
    assert waiting.pk not in events


def test_an_unknown_strategy_or_a_bad_cap_is_refused(team_lead):
    with pytest.raises(DistributionError) as refused:
        services.queue_distribute(actor=team_lead, now=T0, strategy="random")
    assert refused.value.field == "strategy"
    with pytest.raises(DistributionError) as refused:
        services.queue_distribute(actor=team_lead, now=T0, strategy=services.ROUND_ROBIN, cap=0)
    assert refused.value.field == "cap"
    assert not DistributionRun.objects.exists()


def test_automatic_runs_follow_the_last_strategy_a_team_lead_chose(team_lead):
    a, b = on_duty(AgentFactory()), on_duty(AgentFactory())
    assert services.queue_distribute_auto(now=T0) == 0
    assert not DistributionRun.objects.exists()  # nothing assigned: no row every minute

    services.queue_distribute(actor=team_lead, now=T0, strategy=services.ROUND_ROBIN, cap=2)
    for minutes in range(10, 16):
        due(minutes)
    assert services.queue_distribute_auto(now=T0 + timedelta(minutes=1)) == 4
    run = DistributionRun.objects.order_by("-id").first()
    assert (run.strategy, run.cap, run.started_by, run.assigned) == (
        services.ROUND_ROBIN,
        2,
        None,
        4,
    )
    assert len(_held(a)) == len(_held(b)) == 2


def test_bulk_assignment_takes_the_selection_up_to_the_cap(team_lead):
    agent = on_duty(AgentFactory(), cap=3)
    north, south = ServiceAreaFactory(), ServiceAreaFactory()
    fibre, power = OutageFactory(), OutageFactory()
    in_north = [due(m, outage=fibre, customer=CustomerFactory(area=north)) for m in (30, 10)]
    due(5, outage=fibre, customer=CustomerFactory(area=south))
    late = due(600, outage=fibre, customer=CustomerFactory(area=north))
    due(1, outage=power, customer=CustomerFactory(area=north))

    run = services.queue_assign_bulk(
        actor=team_lead,
        now=T0,
        agent=agent,
        selection=Selection(outage_id=fibre.pk, area_id=north.pk, due_by=T0 + timedelta(hours=2)),
    )

    assert _held(agent) == [in_north[1].pk, in_north[0].pk]
    assert run.strategy == services.MANUAL and run.assigned == 2
    late.refresh_from_db()
    assert late.assigned_to is None

    # The cap: one more fits of the whole rest of the queue.
    run = services.queue_assign_bulk(actor=team_lead, now=T0, agent=agent, selection=Selection())
    assert run.assigned == 1 and len(_held(agent)) == 3


def test_bulk_assignment_to_an_agent_off_duty_is_refused(team_lead, agent):
    due(10)
    with pytest.raises(DistributionError) as refused:
        services.queue_assign_bulk(actor=team_lead, now=T0, agent=agent, selection=Selection())
    assert refused.value.field == "agent"
    assert CallbackRequest.objects.filter(assigned_to__isnull=False).count() == 0


def test_reassign_moves_a_callback_with_its_timeline(team_lead):
    ana, ben = on_duty(AgentFactory(first_name="Ana")), on_duty(AgentFactory(first_name="Ben"))
    callback = due(10, status=policy.ASSIGNED, agent=ana)

    services.callback_reassign(actor=team_lead, now=T0, callback_id=callback.pk, agent=ben)

    callback.refresh_from_db()
    assert callback.assigned_to == ben and callback.status == policy.ASSIGNED
    event = CallbackEvent.objects.get(callback=callback)
    assert event.reason == "Reassigned from Ana Tester to Ben Tester"
    assert event.actor == team_lead

    with pytest.raises(DistributionError, match="already holds this callback"):
        services.callback_reassign(actor=team_lead, now=T0, callback_id=callback.pk, agent=ben)


def test_reassign_respects_the_cap_and_refuses_closed_callbacks(team_lead):
    full = on_duty(AgentFactory(), cap=1)
    due(5, status=policy.ASSIGNED, agent=full)
    callback = due(10)
    with pytest.raises(DistributionError, match="cap 1"):
        services.callback_reassign(actor=team_lead, now=T0, callback_id=callback.pk, agent=full)
    done = due(10, status=policy.DONE)
    with pytest.raises(DistributionError, match="only due callbacks"):
        services.callback_reassign(
            actor=team_lead, now=T0, callback_id=done.pk, agent=AgentFactory()
        )


def test_unassign_returns_assigned_to_the_queue_and_keeps_a_retry_a_retry(
    team_lead, django_capture_on_commit_callbacks
):
    agent = on_duty(AgentFactory())
    assigned = due(10, status=policy.ASSIGNED, agent=agent)
    retry = due(20, status=policy.RETRY, agent=agent, attempts=1)

    with django_capture_on_commit_callbacks() as sent:
        services.callback_unassign(actor=team_lead, now=T0, callback_id=assigned.pk)
    services.callback_unassign(actor=team_lead, now=T0, callback_id=retry.pk)

    assigned.refresh_from_db()
    retry.refresh_from_db()
    assert (assigned.status, assigned.assigned_to) == (policy.QUEUED, None)
    assert (retry.status, retry.assigned_to) == (policy.RETRY, None)
    # A distribution is asked for (and the webhooks are woken: callbacks changed).
    assert announce_work_due in sent
    with pytest.raises(DistributionError, match="No agent holds"):
        services.callback_unassign(actor=team_lead, now=T0, callback_id=assigned.pk)


def test_going_off_duty_hands_back_what_the_agent_holds(agent, agent2):
    on_duty(agent)
    assigned = due(10, status=policy.ASSIGNED, agent=agent)
    retry = due(20, status=policy.RETRY, agent=agent, attempts=1)
    done = due(30, status=policy.DONE, agent=agent, attempts=1)
    others = due(40, status=policy.ASSIGNED, agent=agent2)

    change = services.agent_duty_set(actor=agent, agent=agent, on_duty=False, now=T0)

    assert change.handed_back == 2 and change.duty.on_duty is False
    statuses = dict(CallbackRequest.objects.values_list("pk", "status"))
    assert statuses[assigned.pk] == policy.QUEUED and statuses[retry.pk] == policy.RETRY
    assert _held(agent) == [done.pk]  # closed work keeps who did it
    assert _held(agent2) == [others.pk]
    events = CallbackEvent.objects.order_by("callback_id")
    assert [(e.callback_id, e.from_status, e.to_status, e.actor) for e in events] == [
        (assigned.pk, "assigned", "queued", agent),
        (retry.pk, "retry", "retry", agent),
    ]
    assert "went off callback duty" in events[0].reason

    # Off again: nothing changes.
    assert services.agent_duty_set(actor=agent, agent=agent, on_duty=False, now=T0).handed_back == 0
    assert CallbackEvent.objects.count() == 2


def test_going_on_duty_asks_for_a_distribution(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as sent:
        change = services.agent_duty_set(actor=agent, agent=agent, on_duty=True, now=T0)
    assert change.duty.on_duty and change.duty.changed_at == T0
    assert len(sent) == 1


def test_claim_next_takes_the_earliest_unassigned_due_callback(agent, agent2):
    due(5, status=policy.ASSIGNED, agent=agent2)
    later, first = due(30), due(10, status=policy.RETRY, attempts=1)
    due(1, status=policy.DONE)

    claimed = services.callback_claim_next(agent=agent, now=T0)
    assert claimed.pk == first.pk and claimed.status == policy.RETRY
    claimed = services.callback_claim_next(agent=agent, now=T0)
    assert claimed.pk == later.pk and claimed.status == policy.ASSIGNED
    assert claimed.assigned_to == agent and claimed.assigned_at == T0
    assert services.callback_claim_next(agent=agent, now=T0) is None
    assert CallbackEvent.objects.filter(reason="Claimed by Agent Tester").count() == 2


def test_claim_next_refuses_an_agent_at_their_cap(agent):
    on_duty(agent, cap=1)
    due(5, status=policy.ASSIGNED, agent=agent)
    waiting = due(10)
    with pytest.raises(DistributionError, match="cap 1"):
        services.callback_claim_next(agent=agent, now=T0)
    waiting.refresh_from_db()
    assert waiting.assigned_to is None


def test_cap_of_an_agent_can_be_set_and_cleared(team_lead, agent):
    assert services.agent_cap_set(actor=team_lead, agent=agent, cap=7, now=T0).cap == 7
    assert services.agent_cap_set(actor=team_lead, agent=agent, cap=None, now=T0).cap is None
    with pytest.raises(DistributionError):
        services.agent_cap_set(actor=team_lead, agent=agent, cap=0, now=T0)


# Issue 13, row 5: callback duty only for users who hold a role that takes calls.


def test_row5_a_user_with_no_role_cannot_be_put_on_duty(team_lead, django_user_model):
    nobody = django_user_model.objects.create_user("no-role")
    with pytest.raises(services.DistributionError, match="does not take calls"):
        services.agent_duty_set(actor=team_lead, agent=nobody, on_duty=True, now=T0)
    assert not AgentDuty.objects.filter(agent=nobody, on_duty=True).exists()


def test_row5_distribution_skips_a_user_on_duty_without_a_role(team_lead, django_user_model):
    nobody = on_duty(django_user_model.objects.create_user("no-role"))
    agent = on_duty(AgentFactory())
    first, second = due(10), due(20)
    run = services.queue_distribute(actor=team_lead, now=T0, strategy=services.ROUND_ROBIN)
    assert run.assigned == 2
    assert not CallbackRequest.objects.filter(assigned_to=nobody).exists()
    assert set(CallbackRequest.objects.filter(assigned_to=agent)) == {first, second}


def test_row5_the_board_refuses_duty_for_a_user_without_a_role(lead_client, django_user_model):
    nobody = django_user_model.objects.create_user("no-role")
    response = lead_client.post(reverse("workload:agent_duty", args=[nobody.pk]), {"on_duty": "on"})
    assert response.status_code == 400
    assert "does not take calls" in response.content.decode()


def test_duty_and_cap_changes_are_in_the_audit_trail(team_lead):
    agent = AgentFactory()
    services.agent_duty_set(actor=team_lead, agent=agent, on_duty=True, now=T0)
    services.agent_cap_set(actor=team_lead, agent=agent, cap=3, now=T0)
    entries = {e.action: e for e in AuditEntry.objects.filter(subject=agent.username)}
    assert entries["duty.changed"].detail == {"on_duty": True, "handed_back": 0}
    assert entries["cap.changed"].detail == {"from": None, "to": 3}
    assert entries["cap.changed"].actor == team_lead
