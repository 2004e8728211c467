"""Background work for outages: ids in, one service call."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def escalation_sweep():
    """Every minute (beat): flag outages past their ETR or without one for too long."""
    return services.outages_escalation_sweep(now=timezone.now())


@shared_task(name="outages.tasks.anonymise_reviewed", acks_late=True, reject_on_worker_lost=True)
def anonymise_reviewed():
    """Nightly (beat): notes of refund reviews reviewed before the retention period."""
    now = timezone.now()
    return services.refund_reviews_anonymise_before(
        cutoff=now - settings.PERSONAL_DATA_RETENTION, now=now
    )
