"""Background work for outages: ids in, one service call."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def escalation_sweep():
    sweep = getattr(services, "outages_escalation_sweep", None)
    return sweep(now=timezone.now()) if sweep else 0
