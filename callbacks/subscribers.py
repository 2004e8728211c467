"""Callbacks listens to outages' domain events and hands the work to the workers.

Called after the outage's transaction commits. Sending never fails the supervisor's action:
if the broker is down, the beat sweep releases the callbacks a minute later."""

from core.tasking import send
from outages import events

from . import services


@events.on_outage_restored
def release_on_restoration(*, outage_id):
    from . import tasks

    send(tasks.release_for_outage, outage_id)


@events.on_outage_reopened
def return_to_waiting_on_reopen(*, outage_id):
    from . import tasks

    send(tasks.return_to_waiting, outage_id)


@events.on_customer_erased
def erase_customer_callbacks(*, customer_id, phone, account_number, now):
    return services.callbacks_erase_for_customer(
        customer_id=customer_id, phone=phone, account_number=account_number, now=now
    )
