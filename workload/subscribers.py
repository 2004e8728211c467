"""Workload listens to callbacks' "work is due" event and asks the workers to distribute.

Called after the transaction that made the work due commits. The task is sent by its
registered name, so this module loads no models and ``WorkloadConfig.ready`` subscribes
without importing inside a function. A lost message is harmless: the beat runs the same task
every minute."""

from callbacks import events as callback_events
from core.tasking import send_by_name

DISTRIBUTE_TASK = "workload.tasks.distribute"
STAFFING_FORECAST_TASK = "workload.tasks.staffing_forecast"


def distribute_when_work_is_due():
    send_by_name(DISTRIBUTE_TASK)


def forecast_when_released(*, outage_id):
    """A restoration's callbacks were released: refresh the staffing alarm for it."""
    send_by_name(STAFFING_FORECAST_TASK, outage_id)


def subscribe():
    callback_events.on_work_due(distribute_when_work_is_due)
    callback_events.on_released(forecast_when_released)
