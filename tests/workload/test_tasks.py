"""Automatic distribution on a real worker: a restoration's callbacks reach agents on duty."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db.models import Count

from callbacks import policy
from callbacks.models import CallbackRequest, DistributionRun
from outages import services as outage_services
from tests.callbacks.test_release import _wait_until
from tests.factories import CallbackFactory, OutageFactory, ServiceAreaFactory

from .factories import T0, AgentFactory, on_duty


@pytest.mark.worker
def test_a_restoration_is_distributed_to_agents_on_duty_by_the_worker(
    celery_worker_on_broker,
    django_capture_on_commit_callbacks,
    supervisor,
):
    agents = [on_duty(AgentFactory(), cap=4) for _ in range(3)]
    outage = OutageFactory(areas=[ServiceAreaFactory()])
    for n in range(20):
        CallbackFactory(outage=outage, phone=f"+1202555{2000 + n}")
    with time_machine.travel(T0 + timedelta(days=400), tick=True):
        now = datetime.now(UTC)
        with django_capture_on_commit_callbacks(execute=True):
            outage_services.outage_restore(actor=supervisor, now=now, outage=outage)
        _wait_until(lambda: CallbackRequest.objects.filter(status=policy.ASSIGNED).count() == 12)
    held = dict(
        CallbackRequest.objects.filter(assigned_to__isnull=False)
        .values_list("assigned_to")
        .annotate(n=Count("id"))
    )
    assert held == {agent.pk: 4 for agent in agents}
    assert CallbackRequest.objects.filter(status=policy.QUEUED).count() == 8
    assert DistributionRun.objects.filter(started_by__isnull=True, assigned__gt=0).exists()
