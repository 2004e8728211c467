"""Two agents at once, on PostgreSQL: the row lock lets one attempt through, refuses the other."""

import threading
from datetime import timedelta

from django.db import connection

from callbacks import policy, services
from callbacks.models import CallbackAttempt, CallbackRequest, Letter
from contact import services as contact_services

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
