"""The domain events callbacks announces, after the transaction that caused them commits.

- Work due: callbacks became due with nobody holding them (a restoration released them, a
  callback was filed after its outage was restored, work went back to the queue). The minute
  beat distributes whatever a lost announcement would have. ``workload`` subscribes.
- Filed, answered: a callback was filed for a caller, or a call on it was answered.
  ``notifications`` subscribes (the caller is told when we will call; the answered customer
  gets a follow-up email).
- Callbacks changed: any change that leaves a ``CallbackEvent`` row (filed, released,
  assigned, attempted, letters, cancelled). The rows are the truth; the announcement is only a
  wake-up for those who read them (the API's webhooks).

Explicit and small like ``outages.events``, and never load-bearing alone. Subscribers register
in their ``AppConfig.ready``; callbacks itself knows nothing of who listens.
"""

from django.db import transaction

_work_due = []
_changed = []
_released = []
_filed = []
_answered = []


def on_work_due(handler):
    """Register ``handler()`` to be called after a transaction that made work due commits."""
    if handler not in _work_due:
        _work_due.append(handler)
    return handler


def announce_work_due():
    for handler in list(_work_due):
        handler()


def announce_work_due_on_commit():
    """Announce once the current transaction commits, so subscribers only see committed rows
    (nothing is announced when it rolls back)."""
    transaction.on_commit(announce_work_due)


def on_released(handler):
    """Register ``handler(outage_id=...)`` for after a restored outage's callbacks were
    released (workload refreshes its staffing forecast)."""
    if handler not in _released:
        _released.append(handler)
    return handler


def announce_released(*, outage_id):
    for handler in list(_released):
        handler(outage_id=outage_id)


def announce_released_on_commit(*, outage_id):
    transaction.on_commit(lambda: announce_released(outage_id=outage_id))


def on_callback_filed(handler):
    if handler not in _filed:
        _filed.append(handler)
    return handler


def on_callback_answered(handler):
    if handler not in _answered:
        _answered.append(handler)
    return handler


def announce_callback_filed(*, callback_id):
    for handler in list(_filed):
        handler(callback_id=callback_id)


def announce_callback_answered(*, callback_id):
    for handler in list(_answered):
        handler(callback_id=callback_id)


def on_callbacks_changed(handler):
    """Register ``handler()`` to be called after a transaction that changed callbacks commits."""
    if handler not in _changed:
        _changed.append(handler)
    return handler


def announce_callbacks_changed():
    for handler in list(_changed):
        handler()


def announce_on_commit():
    """Called by the services as they write events; subscribers hear after the commit."""
    if _changed:
        transaction.on_commit(announce_callbacks_changed)
