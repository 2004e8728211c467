"""The domain event callbacks announces: callback work is due.

Announced when callbacks become due with nobody holding them (a restoration released them, a
callback was filed after its outage was restored, work went back to the queue). Explicit and
small like ``outages.events``, and never load-bearing alone: the minute beat distributes
whatever a lost announcement would have. Subscribers register in their ``AppConfig.ready``
(``workload`` distributes); callbacks itself knows nothing of who listens.
"""

from django.db import transaction

_work_due = []
_released = []


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
