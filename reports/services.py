"""The only writes of the reports: its own summary rows, rebuilt from the other apps'
selectors. Idempotent: a refresh replaces the rows of the period it covers."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from callbacks import selectors as callback_selectors
from contact import selectors as contact_selectors
from outages import selectors as outage_selectors

from .models import AgentDaySummary, LookupHourSummary, OutageSummary

RECENT = timedelta(days=2)
OUTAGE_CHUNK = 200
SUMMARY_FIELDS = (
    "callbacks",
    "released",
    "first_attempts",
    "first_in_time",
    "first_success",
    "attempts",
    "retries",
    "answered",
    "voicemail",
    "no_voicemail",
    "wrong_number",
    "still_without_service",
    "letters",
    "still_open",
    "lookups",
)
AGENT_DAY_FIELDS = (
    "attempts",
    "first_attempts",
    "in_time",
    "answered",
    "voicemail",
    "no_voicemail",
    "wrong_number",
    "still_without_service",
)


def _outage_rows(outages, *, now):
    ids = [outage.pk for outage in outages]
    callbacks = callback_selectors.callback_figures_by_outage(outage_ids=ids)
    attempts = contact_selectors.attempt_figures_by_outage(outage_ids=ids)
    lookups = contact_selectors.inbound_calls_count_by_outage(outage_ids=ids)
    rows = []
    for outage in outages:
        figures = {**callbacks.get(outage.pk, {}), **attempts.get(outage.pk, {})}
        figures["lookups"] = lookups.get(outage.pk, 0)
        rows.append(
            OutageSummary(
                outage=outage,
                started_at=outage.started_at,
                restored_at=outage.restored_at,
                refreshed_at=now,
                **{name: figures.get(name, 0) for name in SUMMARY_FIELDS},
            )
        )
    return rows


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_current_timezone())


@transaction.atomic
def summaries_refresh(*, now, full=False):
    """Rebuild the summary rows: every restored outage, day and hour when ``full``; otherwise
    the outages still being worked or closed lately, and the last two days. Returns counts."""
    outages = outage_selectors.restored_outages()
    if not full:
        outages = outages.exclude(closed_at__lt=now - RECENT, report_summary__isnull=False)
    outages = list(outages.order_by("pk"))
    summaries = 0
    for i in range(0, len(outages), OUTAGE_CHUNK):
        chunk = outages[i : i + OUTAGE_CHUNK]
        OutageSummary.objects.filter(outage__in=chunk).delete()
        summaries += len(OutageSummary.objects.bulk_create(_outage_rows(chunk, now=now)))

    local_today = timezone.localdate(now)
    start_day = local_today - RECENT
    if full:
        firsts = [
            first
            for first in (
                contact_selectors.first_attempt_at(),
                contact_selectors.first_inbound_call_at(),
            )
            if first is not None
        ]
        start_day = timezone.localdate(min(firsts)) if firsts else local_today
    start, end = _local_midnight(start_day), _local_midnight(local_today + timedelta(days=1))
    AgentDaySummary.objects.filter(day__gte=start_day).delete()
    agent_days = AgentDaySummary.objects.bulk_create(
        [
            AgentDaySummary(
                day=row["day"],
                agent_id=row["agent_id"],
                **{name: row[name] for name in AGENT_DAY_FIELDS},
            )
            for row in contact_selectors.attempts_by_agent_day(
                start=start, end=end, tzinfo=timezone.get_current_timezone()
            )
        ],
        batch_size=2000,
    )
    LookupHourSummary.objects.filter(hour__gte=start).delete()
    hours = LookupHourSummary.objects.bulk_create(
        [
            LookupHourSummary(hour=hour, lookups=n)
            for hour, n in contact_selectors.inbound_calls_by_hour(start=start, end=end)
        ],
        batch_size=2000,
    )
    return {"outages": summaries, "agent_days": len(agent_days), "hours": len(hours)}
