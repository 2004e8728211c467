"""Workload listens to callbacks' "work is due" event and asks the workers to distribute.

Called after the transaction that made the work due commits. The task is sent by its
registered name, so this module loads no models and ``WorkloadConfig.ready`` subscribes
without importing inside a function. A lost message is harmless: the beat runs the same task
every minute."""

from callbacks import events as callback_events
from core.tasking import send_by_name

DISTRIBUTE_TASK = "workload.tasks.distribute"


def distribute_when_work_is_due():
    send_by_name(DISTRIBUTE_TASK)


def subscribe():
    callback_events.on_work_due(distribute_when_work_is_due)
