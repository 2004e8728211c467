"""Background work of the reports: keep the summary rows fresh (ids in, one service)."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_summaries():
    return services.summaries_refresh(now=timezone.now())
