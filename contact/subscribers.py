"""contact listens to outages' erasure event: a customer's personal data erased on request
goes from the inbound calls' notes too (callbacks, attempts and letters are ``callbacks``'
own subscriber's). Runs inside the erasing transaction, so the erasure is whole or nothing."""

from outages import events as outage_events

from . import services


@outage_events.on_customer_erased
def erase_inbound_call_notes(*, customer_id, phone, account_number, now):
    return services.inbound_calls_erase_notes(customer_id=customer_id)
