"""Notifications listens to the events outages and callbacks announce, after their
transactions commit, and hands the work to the ``notifications`` queue. Sending never fails
the supervisor's or the agent's action: with the broker down, the sweep catches up on what it
can (promises, stale sends); the events themselves are idempotent when re-announced."""

from callbacks import events as callback_events
from core.tasking import send
from outages import events as outage_events

from . import services, tasks


@outage_events.on_outage_declared
def notify_on_declared(*, outage_id, notify_customers=False, actor_id=None):
    if notify_customers:
        send(tasks.outage_declared, outage_id, actor_id)


@outage_events.on_outage_etr_changed
def notify_on_etr_changed(*, outage_id, previous_etr):
    send(tasks.outage_etr_changed, outage_id, previous_etr.isoformat() if previous_etr else None)


@outage_events.on_outage_restored
def notify_on_restored(*, outage_id):
    send(tasks.outage_restored, outage_id)


@callback_events.on_callback_filed
def notify_on_callback_filed(*, callback_id):
    send(tasks.callback_filed, callback_id)


@callback_events.on_callback_answered
def notify_on_callback_answered(*, callback_id):
    send(tasks.callback_answered, callback_id)


@outage_events.on_customer_erased
def erase_customer_messages(*, customer_id, phone, account_number, now):
    return services.customer_erase_messages(customer_id=customer_id, phone=phone, now=now)
