"""Callbacks listens to outages' domain events and hands the work to the workers.

Called after the outage's transaction commits. Sending never fails the supervisor's action:
if the broker is down, the beat sweep does the work a minute later. The tasks are sent by
their registered names (``callbacks.tasks``), so this module loads no models and the app can
subscribe from ``CallbacksConfig.ready`` without importing inside a function.

A restoration's release is sent by ``workload``, which hands the callbacks out as it releases
them; the sweep here releases what a lost message left waiting.
"""

from django.utils.module_loading import import_string

from core.tasking import send_by_name
from outages import events

# The sweep's release on its own, for an outage (operators may send it by hand).
RELEASE_TASK = "callbacks.tasks.release_for_outage"
RETURN_TO_WAITING_TASK = "callbacks.tasks.return_to_waiting"
SWEEP_TASK = "callbacks.tasks.sweep"
# Found by name too (the erasure runs inside the erasing transaction, not on a worker).
ERASE_SERVICE = "callbacks.services.callbacks_erase_for_customer"


def return_to_waiting_on_reopen(*, outage_id):
    send_by_name(RETURN_TO_WAITING_TASK, outage_id)


def erase_customer_callbacks(*, customer_id, phone, account_number, now):
    """A customer's personal data is erased on request: theirs goes from callbacks too."""
    return import_string(ERASE_SERVICE)(
        customer_id=customer_id, phone=phone, account_number=account_number, now=now
    )


def subscribe():
    events.on_outage_reopened(return_to_waiting_on_reopen)
    events.on_customer_erased(erase_customer_callbacks)
