"""At scale on PostgreSQL: a constant number of statements, and concurrent claims."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from callbacks import policy
from callbacks.models import AgentDuty, CallbackEvent, CallbackRequest
from core import roles
from workload import services

from .factories import T0


def _agents(count, *, prefix, cap=None):
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"{prefix}{i:04d}", first_name=f"Agent{i}", password="!")
        for i in range(count)
    )
    # Distribution takes only users with a role (issue 13): these are agents.
    group = Group.objects.get_or_create(name=roles.AGENT)[0]
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=group.pk) for user in users
    )
    AgentDuty.objects.bulk_create(
        AgentDuty(agent=user, on_duty=True, cap=cap, changed_at=T0) for user in users
    )
    return users


def _queue(count, *, filer):
    """``count`` queued callbacks in one statement, deadlines spread over eight hours."""
    table = CallbackRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, phone, account_number, call_reason, category,"
            " subcategory, item, notes, preferred_window, ticket_reference, status, due_at,"
            " released_at, attempts, at_risk, created_by_id, created_at, updated_at)"
            " SELECT 'Customer ' || g, '+1202' || lpad(g::text, 7, '0'), '', 'Outage', '',"
            " '', '', '', 'any', '', %s, %s + (g %% 480) * interval '1 minute', %s, 0, false,"
            " %s, %s, %s FROM generate_series(1, %s) AS g",
            [policy.QUEUED, T0, T0, filer.pk, T0, T0, count],
        )


def test_distributing_100000_callbacks_to_300_agents_is_a_constant_few_statements(
    postgres_only, db, team_lead
):
    _agents(300, prefix="floor")
    _queue(100_000, filer=team_lead)

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        run = services.queue_distribute(actor=team_lead, now=T0, strategy=services.LEAST_LOADED)
    elapsed = time.perf_counter() - started

    statements = [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]
    # The advisory lock, the on-duty agents' rows locked (so a claim cannot slip past an
    # agent's cap meanwhile: issue 13), the assignment with its timeline rows, the run's row.
    assert len(statements) == 4, statements
    assert run.assigned == 300 * 25
    assert CallbackEvent.objects.count() == 300 * 25
    # Earliest deadlines went out: nothing assigned is due later than anything still queued.
    latest_assigned = (
        CallbackRequest.objects.filter(status=policy.ASSIGNED).order_by("-due_at").first().due_at
    )
    first_queued = CallbackRequest.objects.filter(status=policy.QUEUED).order_by("due_at")[0]
    assert latest_assigned <= first_queued.due_at
    loads = (
        CallbackRequest.objects.filter(assigned_to__isnull=False)
        .values("assigned_to")
        .annotate(held=Count("id"))
        .values_list("held", flat=True)
    )
    assert len(loads) == 300 and set(loads) == {25}
    print(f"\n100,000 queued, 300 agents: {run.assigned} assigned in {elapsed:.3f} s")

    # Round robin, with the agents' caps raised: the same statements again.
    with CaptureQueriesContext(connection) as captured:
        run = services.queue_distribute(
            actor=team_lead,
            now=T0 + timedelta(minutes=1),
            strategy=services.ROUND_ROBIN,
            cap=50,
        )
    assert len([q for q in captured if "SAVEPOINT" not in q["sql"]]) == 4
    assert run.assigned == 300 * 25


def test_a_claim_is_two_statements_whatever_the_queue(postgres_only, db, team_lead):
    (agent,) = _agents(1, prefix="single", cap=2)
    _queue(1000, filer=team_lead)
    first_due = CallbackRequest.objects.order_by("due_at", "id").first()

    with CaptureQueriesContext(connection) as captured:
        callback = services.callback_claim_next(agent=agent, now=T0)

    # The agent's duty row locked, then count, choice, update and timeline row in one.
    assert len([q for q in captured if "SAVEPOINT" not in q["sql"]]) == 2
    assert callback.pk == first_due.pk
    assert (callback.status, callback.assigned_to_id, callback.assigned_at) == (
        policy.ASSIGNED,
        agent.pk,
        T0,
    )
    event = CallbackEvent.objects.get(callback=callback)
    assert (event.from_status, event.to_status, event.actor_id) == (
        policy.QUEUED,
        policy.ASSIGNED,
        agent.pk,
    )
    services.callback_claim_next(agent=agent, now=T0)
    with pytest.raises(services.DistributionError, match=r"already holds 2 callbacks \(cap 2\)"):
        services.callback_claim_next(agent=agent, now=T0)
    assert CallbackRequest.objects.filter(assigned_to=agent).count() == 2


def _prepared():
    """The claim's statements this connection has prepared: (statement, generic plans)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%callbackrequest%%' OR statement LIKE '%%agentduty%%'"
        )
        return cursor.fetchall()


def test_the_claim_is_prepared_once_per_connection_and_then_planned_no_more(
    postgres_only, db, team_lead
):
    (agent,) = _agents(1, prefix="prepared", cap=20)
    _queue(20, filer=team_lead)

    for minute in range(8):
        assert services.callback_claim_next(agent=agent, now=T0 + timedelta(minutes=minute))

    # The duty row lock and the claim: two statements, whatever the parameters; after the
    # first few runs PostgreSQL keeps one generic plan for each instead of planning anew.
    prepared = _prepared()
    assert len(prepared) == 2
    assert all(generic > 0 for _, generic in prepared)

    # A connection without prepared statements (DATABASE_PREPARED_STATEMENTS off, behind a
    # pooler that does not carry them) claims the same way and prepares nothing.
    raw = connection.connection
    raw.execute("DEALLOCATE ALL")  # psycopg forgets its own names with it
    threshold, raw.prepare_threshold = raw.prepare_threshold, None
    try:
        callback = services.callback_claim_next(agent=agent, now=T0 + timedelta(minutes=9))
        assert callback.assigned_to_id == agent.pk
        assert _prepared() == []
    finally:
        raw.prepare_threshold = threshold


@pytest.mark.django_db(transaction=True)
def test_32_agents_claiming_at_once_never_get_the_same_callback(postgres_only, team_lead):
    agents = _agents(32, prefix="claimer", cap=5000)
    _queue(5000, filer=team_lead)
    claimed = {agent.pk: [] for agent in agents}
    errors = []
    start = threading.Barrier(len(agents))

    def work(agent):
        try:
            start.wait()
            while True:
                callback = services.callback_claim_next(agent=agent, now=T0)
                if callback is None:
                    return
                claimed[agent.pk].append(callback.pk)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    everything = [pk for pks in claimed.values() for pk in pks]
    assert len(everything) == 5000
    assert len(set(everything)) == 5000  # none claimed twice
    assert not CallbackRequest.objects.distributable().exists()  # none left
    holders = dict(CallbackRequest.objects.values_list("pk", "assigned_to_id"))
    for agent_id, pks in claimed.items():
        assert all(holders[pk] == agent_id for pk in pks)
    assert sum(1 for pks in claimed.values() if pks) > 1  # they really ran side by side
    assert CallbackEvent.objects.count() == 5000


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cap", [1, 3])
def test_the_cap_holds_when_one_agent_claims_many_times_at_once(postgres_only, team_lead, cap):
    """Issue 13, row 4: eight simultaneous "Claim next" posts by one agent used to leave them
    holding 4 to 8 with a cap of 1. The duty row lock makes count-and-take one step."""
    (agent,) = _agents(1, prefix=f"greedy{cap}-", cap=cap)
    _queue(20, filer=team_lead)
    claims = 8
    got, errors = [], []
    start = threading.Barrier(claims)

    def work():
        try:
            start.wait()
            got.append(services.callback_claim_next(agent=agent, now=T0))
        except services.DistributionError:
            got.append(None)  # refused: at the cap
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(claims)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    held = CallbackRequest.objects.filter(assigned_to=agent).count()
    assert held == cap
    assert sum(1 for callback in got if callback is not None) == cap
