"""Workload listens to callbacks' "work is due" event and asks the workers to distribute, and to
outages' restorations, whose callbacks its workers release and hand out in one pass.

Called after the transaction that made the work due (or restored the outage) commits. The
tasks are sent by their registered names, so this module loads no models and
``WorkloadConfig.ready`` subscribes without importing inside a function. A lost message is
harmless: the beat distributes every minute, and callbacks' sweep releases what a lost
restoration left waiting."""

from callbacks import events as callback_events
from core.tasking import send_by_name
from outages import events as outage_events

DISTRIBUTE_TASK = "workload.tasks.distribute"
STAFFING_FORECAST_TASK = "workload.tasks.staffing_forecast"
RELEASE_TASK = "workload.tasks.release_and_distribute"


def distribute_when_work_is_due():
    send_by_name(DISTRIBUTE_TASK)


def release_on_restoration(*, outage_id):
    """An outage was restored: its callbacks are released and distributed by a worker. If the
    broker is down, callbacks' minute sweep releases them and the beat distributes them."""
    send_by_name(RELEASE_TASK, outage_id)


def forecast_when_released(*, outage_id):
    """A restoration's callbacks were released: refresh the staffing alarm for it."""
    send_by_name(STAFFING_FORECAST_TASK, outage_id)


def subscribe():
    callback_events.on_work_due(distribute_when_work_is_due)
    callback_events.on_released(forecast_when_released)
    outage_events.on_outage_restored(release_on_restoration)
