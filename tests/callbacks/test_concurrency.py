"""Two agents at once, on PostgreSQL: the row lock lets one attempt through, refuses the other."""

import threading
from datetime import timedelta

from django.db import connection, transaction

from callbacks import policy, services
from callbacks.models import CallbackAttempt, CallbackRequest, Letter
from contact import services as contact_services
from outages import services as outage_services
from tests.factories import CustomerFactory, OutageFactory

from .factories import T0, due_callback


def _in_threads(*calls):
    """Run the calls at the same moment, each on its own database connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each one got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_the_same_attempt_pressed_twice_at_once_is_logged_once(
    postgres_only, transactional_db, agent, team_lead
):
    callback = due_callback(agent=agent)

    def press(actor):
        return lambda: contact_services.callback_record_attempt(
            actor=actor,
            now=T0 + timedelta(hours=1),
            callback=callback,
            outcome=policy.NO_VOICEMAIL,
            category="outage",
            subcategory="no_service",
            expected_number=1,
        )

    results = _in_threads(press(agent), press(team_lead))

    refused = [r for r in results if isinstance(r, services.CallbackError)]
    assert len(refused) == 1, results
    assert "already logged" in refused[0].message
    assert CallbackAttempt.objects.count() == 1
    callback.refresh_from_db()
    assert callback.attempts == 1 and callback.status == policy.RETRY
    assert not Letter.objects.exists()
    assert CallbackRequest.objects.get().events.count() == 1


def _file(actor, outage, *, customer=None, minute=0):
    return services.callback_file(
        actor=actor,
        now=T0 + timedelta(minutes=minute),
        outage_id=outage.pk,
        customer_id=customer.pk if customer else None,
        name="Dana Whitfield",
        phone="+12025550143",
        call_reason=f"No service (call {minute})",
        category="outage",
        subcategory="no_service",
    )


def test_the_same_caller_filed_by_several_agents_at_once_is_one_callback(
    postgres_only, transactional_db, agent, agent2, team_lead
):
    outage = OutageFactory(started_at=T0 - timedelta(hours=1))
    customer = CustomerFactory()
    actors = [agent, agent2, team_lead, agent]

    results = _in_threads(
        *(
            lambda a=a, n=n: _file(a, outage, customer=customer, minute=n)
            for n, a in enumerate(actors)
        )
    )

    assert all(isinstance(r, services.Filing) for r in results), results
    assert sorted(r.merged for r in results) == [False, True, True, True]
    callback = CallbackRequest.objects.get()
    assert (callback.status, callback.customer_id) == (policy.WAITING, customer.pk)
    assert callback.account_number == customer.account_number
    assert callback.notes.count("Called again") == 3
    assert callback.events.count() == 4


def _wait_for_a_lock_wait():
    """Until a session of this database waits for a lock (the filing behind the restoration)."""
    pause = threading.Event()
    for _ in range(500):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        pause.wait(0.02)
    raise AssertionError("the filing never waited for the restoration's lock")


def test_a_filing_behind_a_restoration_in_flight_is_filed_with_its_deadline(
    postgres_only, transactional_db, agent, supervisor
):
    """The filing reads the outage under a shared lock: it waits for the restoration to
    commit, then files against the restored outage (due, not left waiting unreleased)."""
    outage = OutageFactory(started_at=T0 - timedelta(hours=1))
    restored, commit = threading.Event(), threading.Event()
    results = {}

    def restore():
        try:
            with transaction.atomic():
                outage_services.outage_restore(actor=supervisor, now=T0, outage=outage)
                restored.set()
                commit.wait(timeout=10)
        finally:
            connection.close()

    def file():
        try:
            restored.wait(timeout=10)
            results["filing"] = _file(agent, outage, minute=1)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results["filing"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=restore), threading.Thread(target=file)]
    for thread in threads:
        thread.start()
    _wait_for_a_lock_wait()
    commit.set()
    for thread in threads:
        thread.join(timeout=30)

    filing = results["filing"]
    assert isinstance(filing, services.Filing), filing
    callback = CallbackRequest.objects.get()
    assert callback.status == policy.QUEUED and callback.due_at is not None
    assert callback.events.get().reason.startswith("Filed after restoration")
