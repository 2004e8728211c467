"""The escalation sweep as beat runs it: a real worker on the configured broker."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from outages import lifecycle, services
from outages.models import Escalation
from outages.tasks import escalation_sweep
from tests.factories import ServiceAreaFactory


def _wait_until(condition, timeout=30.0):
    """Poll the database while the worker runs in its own thread (no fixed sleeps)."""
    event, step = threading.Event(), 0.05
    while timeout > 0:
        if condition():
            return
        event.wait(step)
        timeout -= step
    raise AssertionError("the worker did not finish in time")


@pytest.mark.worker
def test_a_real_worker_flags_an_outage_past_its_etr_once(celery_worker_on_broker, supervisor):
    def declare(title):
        now = timezone.now()
        return services.outage_declare(
            actor=supervisor,
            now=now - timedelta(hours=2),
            title=title,
            areas=[ServiceAreaFactory()],
            etr=now - timedelta(minutes=5),
        )

    first = declare("Core router fault")
    escalation_sweep.delay()
    _wait_until(lambda: Escalation.objects.filter(outage=first).exists())
    second = declare("Cabinet flooded")
    escalation_sweep.delay()
    escalation_sweep.delay()
    # The later sweeps ran once the second outage is flagged; the first is still flagged once.
    _wait_until(lambda: Escalation.objects.filter(outage=second).exists())
    flagged = Escalation.objects.get(outage=first)
    assert (flagged.reason, flagged.cleared_at) == (lifecycle.PAST_ETR, None)
