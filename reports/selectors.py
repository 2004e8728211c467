"""What the report pages show, composed from the other apps' selectors and the summary rows.

Reads only. The post-incident report of one outage reads the live rows (a handful of grouped
queries on indexes that lead with the outage); the analytics page reads the summary rows
(``models``), so a year of history costs a few thousand small rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone

from callbacks import policy
from callbacks import selectors as callback_selectors
from contact import selectors as contact_selectors
from notifications import selectors as notification_selectors
from outages import lifecycle
from outages import selectors as outage_selectors
from workload import selectors as workload_selectors

from . import charts, figures
from .models import AgentDaySummary, LookupHourSummary, OutageSummary

OUTCOMES = (
    ("answered", policy.ANSWERED),
    ("voicemail", policy.LEFT_VOICEMAIL),
    ("no_voicemail", policy.NO_VOICEMAIL),
    ("wrong_number", policy.WRONG_NUMBER),
    ("still_without_service", policy.STILL_WITHOUT_SERVICE),
)
REPORTABLE = (lifecycle.RESTORED, lifecycle.CLOSED)
# Long lists on the analytics page show this many rows; their CSV has every row.
PAGE_ROWS = 25


def _name(first, last, username):
    full = f"{first} {last}".strip()
    return full or username or "—"


def _outcome_rows(counts):
    total = sum(counts.get(key, 0) for key, _ in OUTCOMES)
    return [
        {
            "key": key,
            "label": policy.OUTCOME_LABELS[outcome],
            "count": counts.get(key, 0),
            "share": figures.share(counts.get(key, 0), total),
        }
        for key, outcome in OUTCOMES
    ]


def _outcome_chart(chart_id, rows, *, what):
    total = sum(row["count"] for row in rows)
    top = figures.busiest([(row["label"], row["count"]) for row in rows], k=1)
    summary = f"{total:,} attempts {what}."
    if top:
        label, count = top[0]
        summary += f" Most common outcome: {label}, {count:,} ({figures.percent(count / total)})."
    return charts.hbar(
        chart_id,
        title=f"Attempts by outcome {what}",
        summary=summary,
        bars=[charts.Bar(row["label"], row["count"], f"{row['count']:,}") for row in rows],
    )


# --- The post-incident report --------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime
    what: str
    detail: str = ""
    who: str = ""
    etr: datetime | None = None


@dataclass
class EtrRow:
    announced_at: datetime
    etr: datetime
    error: timedelta | None
    error_text: str
    lead: timedelta | None  # how long before the restoration it was announced


@dataclass
class Report:
    outage: object
    now: datetime
    duration: timedelta
    duration_text: str
    timeline: list
    areas: list  # [(area, customers)]
    customers_affected: int
    lookups: int
    channels: list
    callbacks: int
    released: int
    still_open: int
    in_time: int
    in_time_share: float | None
    first_attempts: int
    first_success: int
    first_success_share: float | None
    attempts: int
    retries: int
    outcomes: list
    letters: int
    letters_sent: int
    refund_reviews: list
    refunds_by_area: list
    notifications_sent: int  # messages handed to the provider (sent or delivered)
    notifications: list  # per event, channel and status (notifications' selector rows)
    etrs: list
    etr_median: timedelta | None
    etr_worst: timedelta | None
    agents: list
    forecasts: list
    charts: dict = field(default_factory=dict)

    @property
    def etr_median_text(self):
        return figures.describe_error(self.etr_median).replace(" late", "").replace(" early", "")

    @property
    def etr_worst_text(self):
        return figures.describe_error(self.etr_worst)


def _timeline(outage):
    entries = [
        TimelineEntry(
            at=outage.started_at,
            what="Declared",
            who=_user(outage.declared_by),
        )
    ]
    previous_etr = None
    for update in outage.timeline_oldest_first:
        parts = [lifecycle.STATUS_LABELS.get(update.status, update.status)]
        if update.etr and update.etr != previous_etr:
            parts.append("ETR changed" if previous_etr else "ETR given")
            previous_etr = update.etr
        entries.append(
            TimelineEntry(
                at=update.at,
                what=", ".join(parts),
                detail=update.message or update.cause,
                who=_user(update.author),
                etr=update.etr,
            )
        )
    entries.sort(key=lambda e: e.at)
    return entries


def _user(user):
    if user is None:
        return ""
    return _name(user.first_name, user.last_name, user.get_username())


def etr_rows(etrs, *, restored_at):
    rows = []
    for _, announced_at, etr in etrs:
        given = figures.EtrGiven(announced_at, etr, restored_at)
        rows.append(
            EtrRow(
                announced_at=announced_at,
                etr=etr,
                error=given.error,
                error_text=figures.describe_error(given.error),
                lead=None if restored_at is None else restored_at - announced_at,
            )
        )
    return rows


def post_incident_report(outage_id, *, now):
    """Every figure of one restored (or closed) outage's post-incident report; None when the
    outage does not exist or is not restored yet."""
    outage = outage_selectors.outage_for_report(outage_id)
    if outage is None or outage.status not in REPORTABLE or outage.restored_at is None:
        return None
    duration = lifecycle.duration(started_at=outage.started_at, restored_at=outage.restored_at)
    callbacks, attempts = _callback_and_attempt_figures(outage.pk)
    areas = [] if outage.all_areas else outage_selectors.customers_affected_by_area(outage)
    reviews = outage_selectors.refund_reviews_for_outage(outage.pk)
    refunds_by_area = _refunds_by_area(reviews, duration=duration)
    etrs = etr_rows(
        outage_selectors.etrs_given(outage_ids=[outage.pk]), restored_at=outage.restored_at
    )
    median, worst = figures.etr_accuracy(
        [figures.EtrGiven(row.announced_at, row.etr, outage.restored_at) for row in etrs]
    )
    agents = _agents_for_outage(outage.pk)
    released = callbacks.get("released", 0)
    in_time = attempts.get("first_in_time", 0)
    first_attempts = attempts.get("first_attempts", 0)
    outcomes = _outcome_rows(attempts)
    notifications = notification_selectors.messages_by_event_channel_status(outage_id=outage.pk)
    report = Report(
        outage=outage,
        now=now,
        duration=duration,
        duration_text=lifecycle.describe_duration(duration),
        timeline=_timeline(outage),
        areas=areas,
        customers_affected=outage_selectors.customers_affected_count(outage),
        lookups=contact_selectors.inbound_calls_count_by_outage(outage_ids=[outage.pk]).get(
            outage.pk, 0
        ),
        channels=callback_selectors.callbacks_by_channel(outage_id=outage.pk),
        callbacks=callbacks.get("callbacks", 0),
        released=released,
        still_open=callbacks.get("still_open", 0),
        in_time=in_time,
        in_time_share=figures.share(in_time, released),
        first_attempts=first_attempts,
        first_success=attempts.get("first_success", 0),
        first_success_share=figures.share(attempts.get("first_success", 0), first_attempts),
        attempts=attempts.get("attempts", 0),
        retries=attempts.get("retries", 0),
        outcomes=outcomes,
        letters=callbacks.get("letters", 0),
        letters_sent=callbacks.get("letters_sent", 0),
        refund_reviews=reviews,
        refunds_by_area=refunds_by_area,
        notifications_sent=_sent_count(notifications),
        notifications=notifications,
        etrs=etrs,
        etr_median=median,
        etr_worst=worst,
        agents=agents,
        forecasts=workload_selectors.staffing_forecasts_for_outage(outage.pk),
    )
    report.charts = _report_charts(report)
    return report


def _callback_and_attempt_figures(outage_id):
    """The outage's callback figures and attempt figures (empty when it has none)."""
    callbacks = callback_selectors.callback_figures_by_outage(outage_ids=[outage_id])
    attempts = contact_selectors.attempt_figures_by_outage(outage_ids=[outage_id])
    return callbacks.get(outage_id, {}), attempts.get(outage_id, {})


def _sent_count(notifications):
    """Messages sent (or further: delivered) among the rows by event, channel and status."""
    return sum(
        row["count"]
        for row in notifications
        if row["status"] in notification_selectors.SENT_STATUSES
    )


def _refunds_by_area(reviews, *, duration):
    """Refund reviews requested and reviewed per area (the outage's duration beside each)."""
    by_area = defaultdict(lambda: {"requested": 0, "reviewed": 0})
    for review in reviews:
        key = review.area.code if review.area else "—"
        by_area[key]["requested"] += 1
        by_area[key]["reviewed"] += review.status == review.Status.REVIEWED
    return [
        {"area": code, **counts, "duration": lifecycle.describe_duration(duration)}
        for code, counts in sorted(by_area.items())
    ]


def _agents_for_outage(outage_id):
    """Who carried the outage's callbacks: name, attempts, callbacks ended; busiest first."""
    return [
        {
            "name": _name(
                row["agent__first_name"], row["agent__last_name"], row["agent__username"]
            ),
            "attempts": row["attempts"],
            "done": row["done"],
        }
        for row in contact_selectors.attempts_by_agent_for_outage(outage_id=outage_id)
    ]


def _report_charts(report):
    late = report.released - report.in_time
    sla = charts.hbar(
        "chart-sla",
        title="Callbacks called within the target",
        summary=(
            f"{report.in_time:,} of {report.released:,} callbacks with a deadline "
            f"({figures.percent(report.in_time_share)}) had their first call within the target; "
            f"{late:,} did not."
        ),
        bars=[
            charts.Bar("Called in time", report.in_time, f"{report.in_time:,}"),
            charts.Bar("Late or not called", late, f"{late:,}"),
        ],
        maximum=max(report.released, 1),
    )
    by_agent = charts.hbar(
        "chart-agents",
        title="Attempts per agent",
        summary=(
            f"{len(report.agents)} agents made {report.attempts:,} attempts."
            + (
                f" The busiest, {report.agents[0]['name']}, made {report.agents[0]['attempts']:,}."
                if report.agents
                else ""
            )
        ),
        bars=[charts.Bar(a["name"], a["attempts"]) for a in report.agents[:15]],
    )
    etr = charts.hbar(
        "chart-etr",
        title="Error of each ETR given (minutes)",
        summary=(
            f"{len(report.etrs)} ETRs given; median error {report.etr_median_text}, "
            f"worst {report.etr_worst_text}."
        ),
        bars=[
            charts.Bar(
                timezone.localtime(row.announced_at).strftime("%d %b %H:%M"),
                abs(row.error.total_seconds()) / 60 if row.error else 0,
                row.error_text,
            )
            for row in report.etrs
        ],
    )
    return {
        "sla": sla,
        "outcomes": _outcome_chart("chart-outcomes", report.outcomes, what="on this outage"),
        "agents": by_agent,
        "etr": etr,
    }


def report_csv_rows(report):
    """The report's figures as (section, figure, value) rows, then the outage's callbacks."""
    o = report.outage
    rows = [
        ("outage", "id", o.pk),
        ("outage", "title", o.title),
        ("outage", "status", o.get_status_display()),
        ("outage", "started_at", o.started_at.isoformat()),
        ("outage", "restored_at", o.restored_at.isoformat()),
        ("outage", "closed_at", o.closed_at.isoformat() if o.closed_at else ""),
        ("outage", "duration_minutes", int(report.duration.total_seconds() // 60)),
        ("customers", "affected_in_directory", report.customers_affected),
    ]
    rows += [("customers", f"area {area.code}", count) for area, count in report.areas]
    rows += [
        ("calls", "live_call_lookups", report.lookups),
        *[("callbacks", f"channel {label}", count) for label, count in report.channels],
        ("callbacks", "filed", report.callbacks),
        ("callbacks", "with_deadline", report.released),
        ("callbacks", "called_within_target", report.in_time),
        ("callbacks", "called_within_target_share", _fraction(report.in_time_share)),
        ("callbacks", "first_attempts", report.first_attempts),
        ("callbacks", "first_attempt_success", report.first_success),
        ("callbacks", "first_attempt_success_share", _fraction(report.first_success_share)),
        ("callbacks", "still_open", report.still_open),
        ("attempts", "total", report.attempts),
        ("attempts", "retries", report.retries),
        *[("attempts", row["label"], row["count"]) for row in report.outcomes],
        ("letters", "produced", report.letters),
        ("letters", "sent", report.letters_sent),
        ("refund_reviews", "requested", len(report.refund_reviews)),
        *[
            ("refund_reviews", f"area {row['area']}", row["requested"])
            for row in report.refunds_by_area
        ],
        ("notifications", "sent", report.notifications_sent),
        *[
            ("notifications", f"{row['event']} {row['channel']} {row['status']}", row["count"])
            for row in report.notifications
        ],
        ("etr", "median_error_minutes", _minutes(report.etr_median)),
        ("etr", "worst_error_minutes", _minutes(report.etr_worst)),
    ]
    rows += [
        (
            "etr",
            f"given {row.announced_at.isoformat()} for {row.etr.isoformat()}",
            _minutes(row.error),
        )
        for row in report.etrs
    ]
    rows += [("agents", a["name"], a["attempts"]) for a in report.agents]
    return rows


def _fraction(value):
    return "" if value is None else f"{value:.4f}"


def _minutes(delta):
    return "" if delta is None else round(delta.total_seconds() / 60, 1)


# --- The archive -----------------------------------------------------------------------------


def archive(*, text="", area_code="", start=None, end=None, status=""):
    """Outages matching the search, newest first, each with its summary when it has one."""
    outages = outage_selectors.outages_archive(
        text=text, area_code=area_code, start=start, end=end, status=status
    )
    summaries = {
        s.outage_id: s for s in OutageSummary.objects.filter(outage__in=[o.pk for o in outages])
    }
    for outage in outages:
        outage.summary = summaries.get(outage.pk)
        outage.reportable = outage.status in REPORTABLE and outage.restored_at is not None
        outage.in_time_share = (
            figures.share(outage.summary.first_in_time, outage.summary.released)
            if outage.summary
            else None
        )
    return outages


# --- The analytics page ----------------------------------------------------------------------

DURATION_BUCKETS = (
    ("under 1 h", timedelta(hours=1)),
    ("1–2 h", timedelta(hours=2)),
    ("2–4 h", timedelta(hours=4)),
    ("4–8 h", timedelta(hours=8)),
    ("8–24 h", timedelta(hours=24)),
    ("over 24 h", None),
)
SLA_BUCKETS = (
    ("under 50%", 0.5),
    ("50–80%", 0.8),
    ("80–90%", 0.9),
    ("90–95%", 0.95),
    ("95–100%", None),
)


@dataclass
class Analytics:
    start: object
    end: object
    outages: list
    weeks: list
    outcomes: list
    agents: list
    agent_days: int
    durations: list
    duration_buckets: list
    etr_count: int
    etr_median: timedelta | None
    etr_worst: timedelta | None
    hours: list
    released: int
    in_time: int
    charts: dict = field(default_factory=dict)

    @property
    def worst_outages(self):
        """The outages with the lowest share called in time (the page's table; the CSV has
        them all)."""
        rated = [row for row in self.outages if row["share"] is not None]
        return sorted(rated, key=lambda row: (row["share"], row["summary"].restored_at))[:PAGE_ROWS]

    @property
    def busiest_agents(self):
        return self.agents[:PAGE_ROWS]

    @property
    def in_time_share(self):
        return figures.share(self.in_time, self.released)

    @property
    def etr_median_text(self):
        return figures.describe_error(self.etr_median).replace(" late", "").replace(" early", "")

    @property
    def etr_worst_text(self):
        return figures.describe_error(self.etr_worst)


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_current_timezone())


def _bucket(value, buckets):
    for label, upper in buckets:
        if upper is None or value < upper:
            return label
    return buckets[-1][0]


def analytics(*, start, end):
    """The analytics over local dates ``[start, end)``: outages restored in the range, attempts
    made in it, lookups in it. Reads summary rows only (and the few hundred outages)."""
    start_at, end_at = _midnight(start), _midnight(end)
    summaries = list(
        OutageSummary.objects.filter(restored_at__gte=start_at, restored_at__lt=end_at)
        .select_related("outage")
        .only("outage__title", "started_at", "restored_at", "released", "first_in_time")
        .order_by("restored_at", "outage_id")
    )
    outages, week_rows = _outage_rows_and_weeks(summaries, start=start, end=end)
    days = AgentDaySummary.objects.filter(day__gte=start, day__lt=end)
    totals = days.aggregate(**{key: Sum(key) for key, _ in OUTCOMES})
    outcomes = _outcome_rows({k: v or 0 for k, v in totals.items()})
    agents = _agent_rows(days)
    durations = [row["duration"] for row in outages]
    given = _etrs_given_for(outages)
    median, worst = figures.etr_accuracy(given)
    result = Analytics(
        start=start,
        end=end,
        outages=outages,
        weeks=week_rows,
        outcomes=outcomes,
        agents=agents,
        agent_days=sum(a["days"] for a in agents),
        durations=durations,
        duration_buckets=_duration_buckets(durations),
        etr_count=len(given),
        etr_median=median,
        etr_worst=worst,
        hours=figures.hours_of_day(_lookups_by_local_hour(start_at=start_at, end_at=end_at)),
        released=sum(s.released for s in summaries),
        in_time=sum(s.first_in_time for s in summaries),
    )
    result.charts = _analytics_charts(result)
    return result


def _outage_rows_and_weeks(summaries, *, start, end):
    """One row per restored outage, and the callbacks released and called in time per week
    (every week of the range, empty ones included)."""
    outages = []
    weeks = {
        monday: {"released": 0, "in_time": 0, "outages": 0}
        for monday in figures.weeks_between(start, end)
    }
    for s in summaries:
        share = figures.share(s.first_in_time, s.released)
        duration = s.restored_at - s.started_at
        outages.append(
            {
                "summary": s,
                "outage": s.outage,
                "share": share,
                "duration": duration,
                "duration_text": lifecycle.describe_duration(duration),
            }
        )
        monday = figures.week_start(timezone.localdate(s.restored_at))
        week = weeks.setdefault(monday, {"released": 0, "in_time": 0, "outages": 0})
        week["released"] += s.released
        week["in_time"] += s.first_in_time
        week["outages"] += 1
    week_rows = [
        {"week": monday, **w, "share": figures.share(w["in_time"], w["released"])}
        for monday, w in sorted(weeks.items())
    ]
    return outages, week_rows


def _agent_rows(days):
    """Per agent over the agent-day summaries ``days``: days worked, attempts, attempts per
    day and the share placed in time, busiest first."""
    per_agent = (
        days.order_by()
        .values("agent_id", "agent__username", "agent__first_name", "agent__last_name")
        .annotate(
            days=Count("id"),
            attempts=Sum("attempts"),
            first_attempts=Sum("first_attempts"),
            in_time=Sum("in_time"),
        )
        .order_by("-attempts", "agent__username")
    )
    return [
        {
            "name": _name(r["agent__first_name"], r["agent__last_name"], r["agent__username"]),
            "days": r["days"],
            "attempts": r["attempts"],
            "per_day": r["attempts"] / r["days"] if r["days"] else 0,
            "in_time_share": figures.share(r["in_time"], r["attempts"]),
        }
        for r in per_agent
    ]


def _duration_buckets(durations):
    """[(bucket label, outages)] for every duration bucket, empty ones included."""
    bucket_counts = {label: 0 for label, _ in DURATION_BUCKETS}
    for duration in durations:
        bucket_counts[_bucket(duration, DURATION_BUCKETS)] += 1
    return list(bucket_counts.items())


def _etrs_given_for(outages):
    """Every ETR given on the outages, with the restoration it aimed at."""
    etrs = outage_selectors.etrs_given(outage_ids=[row["outage"].pk for row in outages])
    restored = {row["outage"].pk: row["summary"].restored_at for row in outages}
    return [figures.EtrGiven(at, etr, restored.get(outage_id)) for outage_id, at, etr in etrs]


def _lookups_by_local_hour(*, start_at, end_at):
    """{local hour of the day: lookups} in ``[start_at, end_at)``, from the hourly summaries."""
    return dict(
        LookupHourSummary.objects.filter(hour__gte=start_at, hour__lt=end_at)
        .annotate(local_hour=ExtractHour("hour", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("local_hour")
        .annotate(n=Sum("lookups"))
        .values_list("local_hour", "n")
    )


def _analytics_charts(a):
    return {
        "sla_outages": _sla_outages_chart(a),
        "sla_weeks": _sla_weeks_chart(a),
        "outcomes": _outcome_chart("chart-outcomes", a.outcomes, what="in the range"),
        "agents": _agents_chart(a),
        "durations": _durations_chart(a),
        "hours": _hours_chart(a),
    }


def _sla_outages_chart(a):
    sla_counts = {label: 0 for label, _ in SLA_BUCKETS}
    for row in a.outages:
        if row["share"] is not None:
            sla_counts[_bucket(row["share"], SLA_BUCKETS)] += 1
    return charts.hbar(
        "chart-sla-outages",
        title="Outages by share of callbacks called within the target",
        summary=(
            f"{len(a.outages)} outages restored in the range; "
            f"{figures.percent(a.in_time_share)} of their {a.released:,} callbacks were "
            f"called within the target. "
            + ", ".join(f"{label}: {n}" for label, n in sla_counts.items())
            + "."
        ),
        bars=[charts.Bar(label, n) for label, n in sla_counts.items()],
    )


def _sla_weeks_chart(a):
    weeks_with_work = [w for w in a.weeks if w["released"]]
    worst_week = min(weeks_with_work, key=lambda w: w["share"], default=None)
    return charts.vbar(
        "chart-sla-weeks",
        title="Share called within the target, per week (%)",
        summary=(
            f"{len(weeks_with_work)} weeks with callbacks."
            + (
                f" Worst week: {figures.date_label(worst_week['week'])} at "
                f"{figures.percent(worst_week['share'])}."
                if worst_week
                else ""
            )
        ),
        bars=[
            charts.Bar(
                w["week"].strftime("%d %b"),
                100 * (w["share"] or 0),
                figures.percent(w["share"]),
            )
            for w in a.weeks
        ],
        maximum=100,
        every=max(1, len(a.weeks) // 8),
    )


def _agents_chart(a):
    top_agents = a.agents[:15]
    return charts.hbar(
        "chart-agents",
        title="Attempts per day worked, by agent",
        summary=(
            f"{len(a.agents)} agents worked {a.agent_days:,} agent-days."
            + (
                f" Most per day: {top_agents[0]['name']} ({top_agents[0]['per_day']:.1f})."
                if top_agents
                else ""
            )
        ),
        bars=[
            charts.Bar(agent["name"], round(agent["per_day"], 1))
            for agent in sorted(top_agents, key=lambda x: -x["per_day"])
        ],
    )


def _durations_chart(a):
    longest = max(a.durations, default=None)
    median_duration = timedelta(
        seconds=figures.median([d.total_seconds() for d in a.durations]) or 0
    )
    return charts.hbar(
        "chart-durations",
        title="Outages by duration",
        summary=(
            f"{len(a.durations)} outages; median "
            f"{lifecycle.describe_duration(median_duration)}"
            + (f", longest {lifecycle.describe_duration(longest)}." if longest else ".")
        ),
        bars=[charts.Bar(label, n) for label, n in a.duration_buckets],
    )


def _hours_chart(a):
    busiest_hours = figures.busiest([(f"{h:02d}:00", n) for h, n in a.hours])
    return charts.vbar(
        "chart-hours",
        title="Live-call lookups by hour of the day",
        summary=(
            f"{sum(n for _, n in a.hours):,} lookups."
            + (
                " Busiest hours: "
                + ", ".join(f"{label} ({n:,})" for label, n in busiest_hours)
                + "."
                if busiest_hours
                else ""
            )
        ),
        bars=[charts.Bar(f"{h:02d}", n) for h, n in a.hours],
        every=3,
    )


def analytics_csv(a, table):
    """(header, rows) of one table behind the analytics charts."""
    if table == "outages":
        return (
            "outage",
            "title",
            "restored_at",
            "duration_minutes",
            "callbacks_with_deadline",
            "called_in_time",
            "share",
        ), [
            (
                r["outage"].pk,
                r["outage"].title,
                r["summary"].restored_at.isoformat(),
                int(r["duration"].total_seconds() // 60),
                r["summary"].released,
                r["summary"].first_in_time,
                _fraction(r["share"]),
            )
            for r in a.outages
        ]
    if table == "weeks":
        return ("week_starting", "outages", "callbacks_with_deadline", "called_in_time", "share"), [
            (
                w["week"].isoformat(),
                w["outages"],
                w["released"],
                w["in_time"],
                _fraction(w["share"]),
            )
            for w in a.weeks
        ]
    if table == "outcomes":
        return ("outcome", "attempts", "share"), [
            (r["label"], r["count"], _fraction(r["share"])) for r in a.outcomes
        ]
    if table == "agents":
        return ("agent", "days", "attempts", "attempts_per_day", "in_time_share"), [
            (
                r["name"],
                r["days"],
                r["attempts"],
                f"{r['per_day']:.2f}",
                _fraction(r["in_time_share"]),
            )
            for r in a.agents
        ]
    if table == "durations":
        return ("duration", "outages"), list(a.duration_buckets)
    if table == "hours":
        return ("hour", "lookups"), [(f"{h:02d}:00", n) for h, n in a.hours]
    return None, None


def agent_days_csv(*, start, end):
    """Every agent-day in the range (callbacks per agent per day, with the on-time share)."""
    rows = (
        AgentDaySummary.objects.filter(day__gte=start, day__lt=end)
        .select_related("agent")
        .order_by("day", "agent__username")
    )
    header = ("day", "agent", "attempts", "first_attempts", "in_time", "in_time_share")
    return header, (
        (
            r.day.isoformat(),
            _user(r.agent),
            r.attempts,
            r.first_attempts,
            r.in_time,
            _fraction(figures.share(r.in_time, r.attempts)),
        )
        for r in rows.iterator()
    )


# --- Customer history ------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    at: datetime
    kind: str
    title: str
    detail: str = ""
    who: str = ""
    link: str = ""
    items: list = field(default_factory=list)


@dataclass
class History:
    customer: object
    entries: list
    inbound_calls: int
    callbacks: int
    attempts: int
    letters: int
    refund_reviews: int
    notifications: int | None


def customer_history(customer_id):
    """Every interaction with one customer, newest first; None when there is no customer."""
    customer = outage_selectors.customer_for_history(customer_id)
    if customer is None:
        return None
    calls = contact_selectors.inbound_calls_for_customer(customer_id=customer.pk)
    callbacks = callback_selectors.callbacks_for_customer(customer_id=customer.pk)
    reviews = outage_selectors.refund_reviews_for_customer(customer.pk)
    entries = [
        *(_inbound_call_entry(call) for call in calls),
        *(_callback_entry(callback) for callback in callbacks),
        *(_refund_review_entry(review) for review in reviews),
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return History(
        customer=customer,
        entries=entries,
        inbound_calls=len(calls),
        callbacks=len(callbacks),
        attempts=sum(len(callback.attempt_log.all()) for callback in callbacks),
        letters=sum(getattr(callback, "letter", None) is not None for callback in callbacks),
        refund_reviews=len(reviews),
        notifications=None,
    )


def _inbound_call_entry(call):
    return HistoryEntry(
        at=call.at,
        kind="inbound",
        title="Inbound call",
        detail=(f"Outage: {call.outage.title}" if call.outage else "No known outage")
        + (f". Outcome: {call.note}" if call.note else ""),
        who=_user(call.agent),
    )


def _callback_entry(callback):
    """The filing, with its attempts and its letter as the entry's items."""
    items = [
        HistoryEntry(
            at=attempt.at,
            kind="attempt",
            title=f"Attempt {attempt.number}: {attempt.get_outcome_display()}",
            detail=attempt.notes,
            who=_user(attempt.agent),
        )
        for attempt in callback.attempt_log.all()
    ]
    letter = getattr(callback, "letter", None)
    if letter is not None:
        items.append(
            HistoryEntry(
                at=letter.sent_at or letter.produced_at,
                kind="letter",
                title=f"No-contact letter: {letter.get_status_display()}",
            )
        )
    return HistoryEntry(
        at=callback.created_at,
        kind="callback",
        title=f"Callback #{callback.pk} filed: {callback.get_status_display()}",
        detail=callback.call_reason
        + (f" (outage: {callback.outage.title})" if callback.outage else ""),
        who=_user(callback.created_by),
        link=str(callback.pk),
        items=items,
    )


def _refund_review_entry(review):
    return HistoryEntry(
        at=review.requested_at,
        kind="refund",
        title=f"Refund review: {review.get_status_display()}",
        detail=f"Outage: {review.outage.title}" + (f". {review.notes}" if review.notes else ""),
        who=_user(review.requested_by),
    )


def default_range(now):
    """The last 30 local days, today included."""
    today = timezone.localdate(now)
    return today - timedelta(days=29), today + timedelta(days=1)


def staffing(now):
    return workload_selectors.staffing_alarm(now=now)
