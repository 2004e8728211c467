"""Background work for the workload: one service call, nothing else. Idempotent.

The name is explicit: the subscriber sends it by name and the beat schedule runs it by name."""

from celery import shared_task
from django.utils import timezone

from . import services, subscribers


@shared_task(name=subscribers.DISTRIBUTE_TASK, acks_late=True, reject_on_worker_lost=True)
def distribute():
    """Hand due, unassigned callbacks to agents on duty."""
    return services.queue_distribute_auto(now=timezone.now())


@shared_task(name=subscribers.RELEASE_TASK, acks_late=True, reject_on_worker_lost=True)
def release_and_distribute(outage_id):
    """A restored outage: release its callbacks with their deadlines and hand them out."""
    released, assigned = services.queue_release_and_distribute(
        outage_id=outage_id, now=timezone.now()
    )
    return {"released": released, "assigned": assigned}


@shared_task(name=subscribers.STAFFING_FORECAST_TASK, acks_late=True, reject_on_worker_lost=True)
def staffing_forecast(outage_id=None):
    """Refresh the staffing alarm (every minute, and after a restoration's release)."""
    return services.staffing_forecast_refresh(now=timezone.now(), outage_id=outage_id).pk
