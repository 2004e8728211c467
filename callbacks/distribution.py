"""Distributing the callback work: duty, strategies, claiming the next callback.

Writes live here (services for the workload); the rules they follow are in ``policy``."""


def queue_distribute_auto(*, now):
    """Distribute due, unassigned callbacks to agents on duty with the automatic strategy.
    Returns how many were assigned."""
    return 0
