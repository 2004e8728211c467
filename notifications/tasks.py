"""Background work on the ``notifications`` queue: ids in, one service call, nothing else.

Every task is idempotent: fan-out writes each event's rows once (unique notice and message
keys), and sending only moves rows that are still queued."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import services

_options = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="notifications.send_batch", **_options)
def send_batch():
    return services.messages_send_batch(now=timezone.now())


@shared_task(name="notifications.outage_declared", **_options)
def outage_declared(outage_id, actor_id=None):
    return services.outage_declared_event(
        outage_id=outage_id, actor_id=actor_id, now=timezone.now()
    )


@shared_task(name="notifications.outage_etr_changed", **_options)
def outage_etr_changed(outage_id, previous_etr=None):
    previous = parse_datetime(previous_etr) if previous_etr else None
    notices = services.outage_etr_changed(
        outage_id=outage_id, previous_etr=previous, now=timezone.now()
    )
    return [notice.pk for notice in notices]


@shared_task(name="notifications.outage_restored", **_options)
def outage_restored(outage_id):
    notice = services.outage_restored(outage_id=outage_id, now=timezone.now())
    return notice.pk if notice else None


@shared_task(name="notifications.callback_filed", **_options)
def callback_filed(callback_id):
    notice = services.callback_filed_notify(callback_id=callback_id, now=timezone.now())
    return notice.pk if notice else None


@shared_task(name="notifications.callback_answered", **_options)
def callback_answered(callback_id):
    notice = services.callback_answered_notify(callback_id=callback_id, now=timezone.now())
    return notice.pk if notice else None


@shared_task(name="notifications.send_confirmation", **_options)
def send_confirmation(subscription_id):
    services.subscription_send_confirmation(subscription_id=subscription_id, now=timezone.now())


@shared_task(name="notifications.sweep", **_options)
def sweep():
    return services.notifications_sweep(now=timezone.now())


@shared_task(name="notifications.anonymise_old", **_options)
def anonymise_old():
    """Nightly (beat): addresses and bodies of messages older than the retention period."""
    now = timezone.now()
    return services.messages_anonymise_before(
        cutoff=now - settings.PERSONAL_DATA_RETENTION, now=now
    )
