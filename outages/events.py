"""The domain events outages announces. Explicit, small, and never load-bearing alone: the
callbacks sweep redoes whatever a missed announcement would have done.

Subscribers register at start-up (``callbacks.subscribers``); ``announce_*`` is called by the
outage services inside ``transaction.on_commit`` so that subscribers only hear of committed rows.
"""

_restored = []
_reopened = []


def on_outage_restored(handler):
    _restored.append(handler)
    return handler


def on_outage_reopened(handler):
    _reopened.append(handler)
    return handler


def announce_outage_restored(*, outage_id):
    for handler in _restored:
        handler(outage_id=outage_id)


def announce_outage_reopened(*, outage_id):
    for handler in _reopened:
        handler(outage_id=outage_id)


# Erasure of a customer's personal data on request. Unlike the events above, this one is
# announced inside the erasing transaction: the erasure is whole or not at all. Each
# subscriber removes its own app's copies and returns a dict of counts for the audit row.
# (Notifications subscribes here for its messages and receipts when it exists.)
_customer_erased = []


def on_customer_erased(handler):
    _customer_erased.append(handler)
    return handler


def announce_customer_erased(*, customer_id, phone, account_number, now):
    counts = {}
    for handler in _customer_erased:
        counts[handler.__module__] = handler(
            customer_id=customer_id, phone=phone, account_number=account_number, now=now
        )
    return counts
