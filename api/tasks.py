"""Webhook outbox tasks: collect what happened, then send what is due. Idempotent; the beat
schedule runs them every minute, events wake them sooner."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="api.tasks.webhooks_run")
def webhooks_run():
    now = timezone.now()
    collected = services.webhooks_collect(now=now)
    sent = services.webhooks_deliver_due(now=now)
    return {"collected": collected, **sent}


@shared_task(name="api.tasks.idempotency_prune")
def idempotency_prune():
    return services.idempotent_requests_prune(now=timezone.now())
