"""Background work: ids in, one service call, nothing else. Every task is idempotent.

The names are explicit: the subscribers send by name and the beat schedule runs by name."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import policy, services, subscribers


@shared_task(name=subscribers.RELEASE_TASK, acks_late=True, reject_on_worker_lost=True)
def release_for_outage(outage_id):
    return services.callbacks_release_for_outage(outage_id=outage_id, now=timezone.now())


@shared_task(name=subscribers.RETURN_TO_WAITING_TASK, acks_late=True, reject_on_worker_lost=True)
def return_to_waiting(outage_id):
    return services.callbacks_return_to_waiting(outage_id=outage_id, now=timezone.now())


@shared_task(name=subscribers.SWEEP_TASK, acks_late=True, reject_on_worker_lost=True)
def sweep():
    return services.callbacks_sweep(now=timezone.now())


@shared_task(name="callbacks.tasks.anonymise_closed", acks_late=True, reject_on_worker_lost=True)
def anonymise_closed():
    """Nightly (beat): personal data of callbacks finished before the retention period."""
    now = timezone.now()
    cutoff = policy.personal_data_cutoff(now=now, retention=settings.PERSONAL_DATA_RETENTION)
    return services.callbacks_anonymise_before(cutoff=cutoff, now=now)
