"""Restoration releases waiting callbacks with their deadline; nothing is released twice."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from callbacks import policy, services
from callbacks.models import CallbackEvent, CallbackRequest
from outages import services as outage_services
from tests.factories import CallbackFactory, OutageFactory, ServiceAreaFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def outage(db, supervisor):
    area = ServiceAreaFactory()
    return outage_services.outage_declare(
        actor=supervisor, now=T0, started_at=T0, title="Fibre cut", areas=[area]
    )


def _file(agent, outage, phone, now):
    return services.callback_file(
        actor=agent, now=now, outage=outage, name="Ana", phone=phone, call_reason="Billing"
    ).callback


def test_restoration_releases_with_8_hours_from_restoration(outage, agent, supervisor):
    first = _file(agent, outage, "+12025550101", T0 + timedelta(minutes=5))
    second = _file(agent, outage, "+12025550102", T0 + timedelta(minutes=30))
    assert first.status == policy.WAITING and first.due_at is None

    restored_at = T0 + timedelta(hours=2)
    outage_services.outage_restore(actor=supervisor, now=restored_at, outage=outage)
    released = services.callbacks_release_for_outage(outage_id=outage.pk, now=restored_at)

    assert released == 2
    for callback in CallbackRequest.objects.filter(pk__in=[first.pk, second.pk]):
        assert callback.status == policy.QUEUED
        assert callback.due_at == restored_at + settings.CALLBACK_TARGET
    assert CallbackEvent.objects.filter(to_status=policy.QUEUED).count() == 2


def test_filed_after_restoration_is_due_8_hours_from_filing(outage, agent, supervisor):
    restored_at = T0 + timedelta(hours=1)
    outage_services.outage_restore(actor=supervisor, now=restored_at, outage=outage)
    filed_at = restored_at + timedelta(hours=3)
    callback = _file(agent, outage, "+12025550103", filed_at)
    assert callback.status == policy.QUEUED
    assert callback.due_at == filed_at + timedelta(hours=8)


def test_releasing_twice_or_sweeping_twice_changes_nothing(outage, agent, supervisor):
    _file(agent, outage, "+12025550104", T0)
    restored_at = T0 + timedelta(hours=1)
    outage_services.outage_restore(actor=supervisor, now=restored_at, outage=outage)
    assert services.callbacks_release_for_outage(outage_id=outage.pk, now=restored_at) == 1
    before = list(CallbackRequest.objects.values_list("id", "status", "due_at", "updated_at"))
    events = CallbackEvent.objects.count()

    later = restored_at + timedelta(minutes=5)
    assert services.callbacks_release_for_outage(outage_id=outage.pk, now=later) == 0
    assert services.callbacks_sweep(now=later)["released"] == 0
    assert services.callbacks_sweep(now=later)["released"] == 0
    assert list(CallbackRequest.objects.values_list("id", "status", "due_at", "updated_at")) == (
        before
    )
    assert CallbackEvent.objects.count() == events


def test_restoring_twice_is_refused_and_releases_nothing_more(outage, agent, supervisor):
    _file(agent, outage, "+12025550105", T0)
    outage_services.outage_restore(actor=supervisor, now=T0 + timedelta(hours=1), outage=outage)
    with pytest.raises(outage_services.OutageError):
        outage_services.outage_restore(actor=supervisor, now=T0 + timedelta(hours=2), outage=outage)


def test_sweep_releases_what_a_lost_message_missed(outage, agent, supervisor):
    _file(agent, outage, "+12025550106", T0)
    restored_at = T0 + timedelta(hours=1)
    # The announcement is lost: restore without running on-commit hooks.
    outage_services.outage_restore(actor=supervisor, now=restored_at, outage=outage)
    assert CallbackRequest.objects.get().status == policy.WAITING
    assert services.callbacks_sweep(now=restored_at + timedelta(minutes=1))["released"] == 1
    callback = CallbackRequest.objects.get()
    assert callback.status == policy.QUEUED
    assert callback.due_at == restored_at + timedelta(hours=8)


def test_reopen_returns_untried_callbacks_to_waiting(outage, agent, supervisor):
    _file(agent, outage, "+12025550107", T0)
    restored_at = T0 + timedelta(hours=1)
    outage_services.outage_restore(actor=supervisor, now=restored_at, outage=outage)
    services.callbacks_release_for_outage(outage_id=outage.pk, now=restored_at)
    outage_services.outage_reopen(actor=supervisor, now=restored_at, outage=outage)
    assert services.callbacks_return_to_waiting(outage_id=outage.pk, now=restored_at) == 1
    callback = CallbackRequest.objects.get()
    assert callback.status == policy.WAITING and callback.due_at is None


@pytest.mark.worker
def test_a_real_worker_releases_callbacks_when_an_outage_is_restored(
    celery_worker_on_broker,
    django_capture_on_commit_callbacks,
    supervisor,
    agent,
):
    area = ServiceAreaFactory()
    outage = OutageFactory(areas=[area])
    for n in range(25):
        CallbackFactory(outage=outage, phone=f"+1202555{1000 + n}")
    with time_machine.travel(T0 + timedelta(days=400), tick=True):
        now = datetime.now(UTC)
        with django_capture_on_commit_callbacks(execute=True):
            outage_services.outage_restore(actor=supervisor, now=now, outage=outage)
        _wait_until(lambda: not CallbackRequest.objects.filter(status=policy.WAITING).exists())
    assert CallbackRequest.objects.filter(status=policy.QUEUED).count() == 25
    assert set(CallbackRequest.objects.values_list("due_at", flat=True)) == {
        now + settings.CALLBACK_TARGET
    }


def _wait_until(condition, timeout=120.0):
    """Poll the database while the worker runs in its own thread (no fixed sleeps)."""
    import threading

    event = threading.Event()
    deadline = timeout
    step = 0.05
    while deadline > 0:
        if condition():
            return
        event.wait(step)
        deadline -= step
    raise AssertionError("the worker did not finish in time")
