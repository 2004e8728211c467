"""A restoration's release and distribution in one pass (``queue_release_and_distribute``):
the same callbacks, deadlines, agents and history as a release followed by a distribution,
with each released callback written once."""

from datetime import timedelta

import pytest
from django.db.models import Count

from callbacks import policy
from callbacks import services as callback_services
from callbacks.models import AgentDuty, CallbackEvent, CallbackRequest, DistributionRun
from outages import lifecycle
from schedule import policy as schedule
from tests.factories import CallbackFactory, OutageFactory, ServiceAreaFactory
from workload import services

from .factories import T0, AgentFactory, due, on_duty

RESTORED = T0
TARGET = timedelta(hours=8)


def _restored_outage(*, waiting, restored=RESTORED, **callback):
    outage = OutageFactory(
        areas=[ServiceAreaFactory()],
        status=lifecycle.RESTORED,
        started_at=restored - timedelta(hours=6),
        restored_at=restored,
    )
    filed = restored - timedelta(hours=2)
    for n in range(waiting):
        CallbackFactory(
            outage=outage,
            phone=f"+1202555{3000 + n}",
            created_at=filed + timedelta(minutes=n),
            **callback,
        )
    return outage


def _timeline(callback):
    return list(
        CallbackEvent.objects.filter(callback=callback)
        .order_by("at", "id")
        .values_list("from_status", "to_status", "reason")
    )


def _held(outage=None):
    callbacks = CallbackRequest.objects.filter(assigned_to__isnull=False)
    if outage is not None:
        callbacks = callbacks.filter(outage=outage)
    return dict(callbacks.values_list("assigned_to").annotate(n=Count("id")))


def _state(outage):
    """What a release and distribution leave, agent by name (two runs use two sets of agents)."""
    return sorted(
        (
            c.created_at,
            c.status,
            c.due_at,
            c.released_at,
            c.assigned_to.first_name[-1] if c.assigned_to else None,
            c.assigned_at,
            tuple((f, t) for f, t, _ in _timeline(c)),
        )
        for c in CallbackRequest.objects.filter(outage=outage).select_related("assigned_to")
    )


@pytest.mark.django_db
def test_the_restoration_releases_and_hands_out_in_one_pass(postgres_only):
    agents = [on_duty(AgentFactory(first_name=f"Pass {i}"), cap=3) for i in range(2)]
    outage = _restored_outage(waiting=8)

    released, assigned = services.queue_release_and_distribute(outage_id=outage.pk, now=T0)

    assert (released, assigned) == (8, 6)
    assert _held(outage) == {agent.pk: 3 for agent in agents}
    callbacks = CallbackRequest.objects.filter(outage=outage).order_by("created_at")
    assert [c.status for c in callbacks] == [policy.ASSIGNED] * 6 + [policy.QUEUED] * 2
    # Earliest filing first (the earliest deadline), each due 8 hours after restoration.
    assert {c.due_at for c in callbacks} == {RESTORED + TARGET}
    assert {c.released_at for c in callbacks} == {T0}
    first, last = callbacks.first(), callbacks.last()
    assert _timeline(first) == [
        (policy.WAITING, policy.QUEUED, callback_services.SYSTEM_RELEASE_REASON),
        (
            policy.QUEUED,
            policy.ASSIGNED,
            f"Assigned to {first.assigned_to.get_full_name()} (automatic: "
            f"{services.STRATEGY_LABELS[services.LEAST_LOADED]})",
        ),
    ]
    assert _timeline(last) == [
        (policy.WAITING, policy.QUEUED, callback_services.SYSTEM_RELEASE_REASON)
    ]
    run = DistributionRun.objects.get()
    assert (run.assigned, run.started_by, run.detail) == (
        6,
        None,
        "automatic; 6 callbacks to 2 agents",
    )


@pytest.mark.django_db
def test_one_pass_ends_where_a_release_then_a_distribution_ends(postgres_only):
    """Two outages, two teams, the same filings: one through the old two steps, one in one
    pass. Statuses, deadlines, who (by turn) holds what, and each timeline are the same."""
    two_steps = _restored_outage(waiting=5)
    one_pass = _restored_outage(waiting=5)
    team_a = [on_duty(AgentFactory(first_name=f"A{i}"), cap=2) for i in range(3)]
    callback_services.callbacks_release_for_outage(outage_id=two_steps.pk, now=T0)
    services.queue_distribute_auto(now=T0)
    AgentDuty.objects.filter(agent__in=team_a).update(on_duty=False)
    for i in range(3):
        on_duty(AgentFactory(first_name=f"B{i}"), cap=2)

    services.queue_release_and_distribute(outage_id=one_pass.pk, now=T0)

    assert _state(one_pass) == _state(two_steps)


@pytest.mark.django_db
def test_work_already_queued_with_an_earlier_deadline_goes_first(postgres_only):
    agent = on_duty(AgentFactory(), cap=2)
    older = due(-30)  # queued before, due half an hour ago
    outage = _restored_outage(waiting=3)

    services.queue_release_and_distribute(outage_id=outage.pk, now=T0)

    older.refresh_from_db()
    assert (older.status, older.assigned_to) == (policy.ASSIGNED, agent)
    assert _held(outage) == {agent.pk: 1}
    assert CallbackRequest.objects.filter(outage=outage, status=policy.QUEUED).count() == 2
    assert [(f, t) for f, t, _ in _timeline(older)] == [(policy.QUEUED, policy.ASSIGNED)]


@pytest.mark.django_db
def test_a_customer_window_is_kept(postgres_only):
    """A callback the customer asked for tomorrow morning is released with that deadline and
    offered to nobody before its window opens; an "any time" one is handed out."""
    agent = on_duty(AgentFactory(), cap=5)
    outage = _restored_outage(waiting=1)
    later = CallbackFactory(
        outage=outage,
        phone="+12025559999",
        created_at=RESTORED - timedelta(hours=1),
        preferred_window=schedule.TOMORROW_MORNING,
    )

    released, assigned = services.queue_release_and_distribute(outage_id=outage.pk, now=T0)

    assert (released, assigned) == (2, 1)
    later.refresh_from_db()
    assert later.status == policy.QUEUED and later.assigned_to is None
    assert later.window_start > T0 and later.due_at >= later.window_start
    assert _held(outage) == {agent.pk: 1}


@pytest.mark.django_db
def test_outside_calling_hours_it_releases_and_offers_nothing(postgres_only, calling_hours):
    on_duty(AgentFactory(), cap=5)
    night = T0.replace(hour=5)  # midnight in New York
    outage = _restored_outage(waiting=2, restored=night)

    assert services.queue_release_and_distribute(outage_id=outage.pk, now=night) == (2, 0)
    assert set(CallbackRequest.objects.values_list("status", flat=True)) == {policy.QUEUED}


@pytest.mark.django_db
def test_again_or_before_restoration_it_changes_nothing(postgres_only):
    on_duty(AgentFactory(), cap=5)
    outage = _restored_outage(waiting=2)
    services.queue_release_and_distribute(outage_id=outage.pk, now=T0)
    events = CallbackEvent.objects.count()

    assert services.queue_release_and_distribute(outage_id=outage.pk, now=T0) == (0, 0)
    open_outage = OutageFactory(areas=[ServiceAreaFactory()])
    CallbackFactory(outage=open_outage, phone="+12025558888")
    assert services.queue_release_and_distribute(outage_id=open_outage.pk, now=T0) == (0, 0)
    assert CallbackEvent.objects.count() == events
    assert DistributionRun.objects.count() == 1


@pytest.mark.django_db
def test_without_agents_on_duty_everything_is_released_and_queued(postgres_only):
    outage = _restored_outage(waiting=3)

    assert services.queue_release_and_distribute(outage_id=outage.pk, now=T0) == (3, 0)
    assert set(CallbackRequest.objects.values_list("status", flat=True)) == {policy.QUEUED}
    assert not DistributionRun.objects.exists()


@pytest.mark.django_db
def test_any_database_gives_the_same_end():
    """SQLite (``make run``) has no ``UPDATE`` inside ``WITH``: there it takes two steps."""
    agent = on_duty(AgentFactory(), cap=1)
    outage = _restored_outage(waiting=2)

    assert services.queue_release_and_distribute(outage_id=outage.pk, now=T0) == (2, 1)
    assert _held(outage) == {agent.pk: 1}
