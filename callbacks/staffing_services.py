"""The staffing alarm's one write: a fresh forecast row (the queue board reads the latest)."""

import time
from datetime import timedelta

from django.db import transaction

from . import conf, staffing, workload_selectors
from .models import StaffingForecast

FORECAST_KEEP = timedelta(days=7)


def staffing_forecast_refresh(*, now, outage_id=None, trigger="schedule"):
    """Run the restoration simulation on the real open callbacks and the agents on duty, and
    store the result for the queue board and the reports. Forecasts a restoration triggered
    are kept (the post-incident report shows them); scheduled ones for a week.

    The simulation (seconds for ten thousand callbacks) runs outside any transaction: it only
    reads, and no lock or snapshot should be held while it thinks; the write is one short
    transaction."""
    started = time.perf_counter()
    rules = conf.rules()
    handle, mix = workload_selectors.staffing_observed(now=now)
    seed = int(now.timestamp()) // 60
    result = staffing.forecast(
        workload_selectors.staffing_open_callbacks(now=now, max_attempts=rules.max_attempts),
        agents_on_duty=workload_selectors.staffing_agents_on_duty(),
        seed=seed,
        rules=rules,
        handle_minutes=handle or staffing.DEFAULT_HANDLE_MINUTES,
        mix=mix or staffing.DEFAULT_MIX,
    )
    with transaction.atomic():
        StaffingForecast.objects.filter(
            outage__isnull=True, computed_at__lt=now - FORECAST_KEEP
        ).delete()
        return StaffingForecast.objects.create(
            computed_at=now,
            trigger=trigger if outage_id is None else "restoration",
            outage_id=outage_id,
            open_callbacks=result.open_callbacks,
            already_late=result.already_late,
            agents_on_duty=result.agents_on_duty,
            will_miss=result.will_miss,
            agents_needed=result.agents_needed,
            capacity_bound=result.capacity_bound,
            handle_minutes=result.handle_minutes,
            handle_observed=handle is not None,
            seed=seed,
            elapsed_ms=round(1000 * (time.perf_counter() - started)),
        )
