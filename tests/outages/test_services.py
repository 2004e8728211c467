"""Outage services: escalation sweep on a controlled clock, refund reviews, clearing flags."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from outages import lifecycle, services
from outages.models import Escalation, OutageUpdate, RefundReview
from tests.factories import CustomerFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def area():
    return ServiceAreaFactory()


def declare(supervisor, area, *, now=T0, etr=T0 + HOUR, **extra):
    return services.outage_declare(
        actor=supervisor, now=now, title="Fibre cut", areas=[area], etr=etr, **extra
    )


def open_escalations(outage=None):
    qs = Escalation.objects.filter(cleared_at__isnull=True)
    if outage is not None:
        qs = qs.filter(outage=outage)
    return list(qs.values_list("reason", flat=True))


def test_past_etr_is_flagged_once_however_often_the_sweep_runs(supervisor, area):
    outage = declare(supervisor, area)
    assert services.outages_escalation_sweep(now=T0 + HOUR) == 0  # at the ETR: not yet past
    raised = [services.outages_escalation_sweep(now=T0 + HOUR + n * MIN) for n in range(1, 6)]
    assert raised == [1, 0, 0, 0, 0]
    escalation = Escalation.objects.get(outage=outage)
    assert (escalation.reason, escalation.raised_at, escalation.etr_at_raise) == (
        lifecycle.PAST_ETR,
        T0 + HOUR + MIN,
        T0 + HOUR,
    )


def test_moving_the_etr_clears_the_flag_and_a_new_miss_raises_a_new_one(supervisor, area):
    outage = declare(supervisor, area)
    services.outages_escalation_sweep(now=T0 + 2 * HOUR)
    services.outage_post_update(
        actor=supervisor, now=T0 + 2 * HOUR, outage=outage, etr=T0 + 4 * HOUR, message="Later."
    )
    cleared = Escalation.objects.get(outage=outage)
    assert (cleared.cleared_at, cleared.cleared_by) == (T0 + 2 * HOUR, supervisor)
    assert services.outages_escalation_sweep(now=T0 + 3 * HOUR) == 0
    assert open_escalations(outage) == []
    assert services.outages_escalation_sweep(now=T0 + 4 * HOUR + MIN) == 1
    assert Escalation.objects.filter(outage=outage).count() == 2


def test_a_missing_etr_is_flagged_after_the_configured_time(supervisor, area, settings):
    settings.OUTAGE_MISSING_ETR_AFTER = timedelta(minutes=30)
    outage = declare(supervisor, area, etr=None)
    assert services.outages_escalation_sweep(now=T0 + 29 * MIN) == 0
    assert services.outages_escalation_sweep(now=T0 + 30 * MIN) == 1
    assert open_escalations(outage) == [lifecycle.MISSING_ETR]
    services.outage_post_update(actor=supervisor, now=T0 + 40 * MIN, outage=outage, etr=T0 + HOUR)
    assert open_escalations(outage) == []


def test_restoring_clears_the_flag_and_restored_outages_are_not_flagged(supervisor, area):
    outage = declare(supervisor, area)
    services.outages_escalation_sweep(now=T0 + 2 * HOUR)
    services.outage_restore(actor=supervisor, now=T0 + 2 * HOUR, outage=outage)
    assert open_escalations() == []
    assert services.outages_escalation_sweep(now=T0 + 3 * HOUR) == 0


def test_a_flag_whose_reason_went_away_elsewhere_is_cleared_by_the_sweep(supervisor, area):
    outage = declare(supervisor, area)
    services.outages_escalation_sweep(now=T0 + 2 * HOUR)
    type(outage).objects.filter(pk=outage.pk).update(etr=T0 + 5 * HOUR)  # e.g. the admin
    services.outages_escalation_sweep(now=T0 + 3 * HOUR)
    assert open_escalations() == []


def test_the_task_runs_the_sweep_at_the_current_time(supervisor, area):
    from outages.tasks import escalation_sweep

    declare(supervisor, area)
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        assert escalation_sweep.run() == 1
        assert escalation_sweep.run() == 0


def test_reopen_and_close_answer_still_without_service(supervisor, area):
    outage = declare(supervisor, area)
    services.outage_restore(actor=supervisor, now=T0 + HOUR, outage=outage)
    Escalation.objects.create(
        outage=outage,
        reason=Escalation.Reason.STILL_WITHOUT_SERVICE,
        raised_at=T0 + 2 * HOUR,
    )
    services.outage_reopen(actor=supervisor, now=T0 + 3 * HOUR, outage=outage)
    assert open_escalations(outage) == []


def test_refund_review_request_is_one_per_customer_and_outage(supervisor, agent, area):
    outage = declare(supervisor, area)
    customer = CustomerFactory(area=area)
    review, created = services.refund_review_request(
        actor=agent, now=T0 + MIN, customer=customer, outage=outage
    )
    again, created_again = services.refund_review_request(
        actor=agent, now=T0 + 2 * MIN, customer=customer, outage=outage
    )
    assert (created, created_again, again.pk) == (True, False, review.pk)
    assert (review.area, review.requested_by, review.requested_at) == (area, agent, T0 + MIN)
    assert RefundReview.objects.count() == 1


def test_marking_reviewed_waits_for_restoration_and_happens_once(supervisor, agent, area):
    outage = declare(supervisor, area)
    review, _ = services.refund_review_request(
        actor=agent, now=T0, customer=CustomerFactory(area=area), outage=outage
    )
    with pytest.raises(services.RefundReviewError, match="not restored"):
        services.refund_review_mark_reviewed(actor=supervisor, now=T0 + MIN, review=review)
    services.outage_restore(actor=supervisor, now=T0 + HOUR, outage=outage)
    services.refund_review_mark_reviewed(
        actor=supervisor, now=T0 + 2 * HOUR, review=review, notes="Credit of one day."
    )
    review.refresh_from_db()
    assert (review.status, review.reviewed_by, review.reviewed_at, review.notes) == (
        RefundReview.Status.REVIEWED,
        supervisor,
        T0 + 2 * HOUR,
        "Credit of one day.",
    )
    with pytest.raises(services.RefundReviewError, match="already"):
        services.refund_review_mark_reviewed(actor=supervisor, now=T0 + 3 * HOUR, review=review)


def test_a_refused_change_writes_nothing(supervisor, area):
    outage = declare(supervisor, area)
    before = OutageUpdate.objects.count()
    with pytest.raises(services.OutageError, match="Only a restored outage can be closed"):
        services.outage_close(actor=supervisor, now=T0 + MIN, outage=outage)
    with pytest.raises(services.OutageError, match="in the future"):
        services.outage_restore(
            actor=supervisor, now=T0 + MIN, outage=outage, restored_at=T0 + HOUR
        )
    outage.refresh_from_db()
    assert (outage.status, OutageUpdate.objects.count()) == (lifecycle.INVESTIGATING, before)


def test_restoration_may_be_set_earlier_than_now(supervisor, area):
    outage = declare(supervisor, area)
    services.outage_restore(
        actor=supervisor, now=T0 + 2 * HOUR, outage=outage, restored_at=T0 + 30 * MIN
    )
    outage.refresh_from_db()
    assert (outage.status, outage.restored_at) == (lifecycle.RESTORED, T0 + 30 * MIN)


def test_still_without_service_is_raised_once_while_open(supervisor, area):
    outage = declare(supervisor, area)
    first, raised = services.escalation_raise_still_without_service(
        now=T0, outage=outage, area=area, detail="Reported on callback #1"
    )
    again, raised_again = services.escalation_raise_still_without_service(
        now=T0 + MIN, outage=outage, detail="Reported on callback #2"
    )
    assert (raised, raised_again) == (True, False)
    assert again.pk == first.pk and first.area == area
    assert open_escalations(outage) == [Escalation.Reason.STILL_WITHOUT_SERVICE]
