"""Background work: ids in, one service call, nothing else. Every task is idempotent."""

from celery import shared_task
from django.utils import timezone

from . import distribution, services, staffing_services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def release_for_outage(outage_id):
    return services.callbacks_release_for_outage(outage_id=outage_id, now=timezone.now())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def return_to_waiting(outage_id):
    return services.callbacks_return_to_waiting(outage_id=outage_id, now=timezone.now())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep():
    return services.callbacks_sweep(now=timezone.now())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def distribute():
    """Hand due, unassigned callbacks to agents on duty."""
    return distribution.queue_distribute_auto(now=timezone.now())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def staffing_forecast(outage_id=None):
    """Refresh the staffing alarm (on a schedule, and after a restoration's release)."""
    return staffing_services.staffing_forecast_refresh(now=timezone.now(), outage_id=outage_id).pk
