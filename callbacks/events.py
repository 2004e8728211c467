"""What callbacks announces: "callback rows changed" (filed, released, assigned, attempted,
letters, cancelled). Every change already leaves a ``CallbackEvent`` row, which is the truth;
the announcement is only a wake-up for those who read those rows (the API's webhooks), sent
once the transaction has committed. Subscribers register in their ``AppConfig.ready``.
"""

from django.db import transaction

_changed = []


def on_callbacks_changed(handler):
    _changed.append(handler)
    return handler


def announce_callbacks_changed():
    for handler in _changed:
        handler()


def announce_on_commit():
    """Called by the services as they write events; subscribers hear after the commit."""
    if _changed:
        transaction.on_commit(announce_callbacks_changed)
