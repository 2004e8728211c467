"""Reads for the workload pages: the team lead's queue board and an agent's own callbacks.

Each read is a fixed handful of queries whatever the size of the queue."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from callbacks import conf, policy
from callbacks import selectors as callback_selectors
from callbacks.models import (
    AgentDuty,
    CallbackAttempt,
    CallbackRequest,
    DistributionRun,
    Letter,
)
from core import roles
from outages.models import Outage
from planning import staffing
from planning.models import StaffingForecast
from schedule import policy as schedule

from . import services

BOARD_CALLBACKS = 50
BOARD_OUTAGES = 20
# Restored outages with open work (or restored in the last day) that the board counts.
BOARD_OUTAGES_CONSIDERED = 100
DONE_OUTCOMES = (policy.ANSWERED, policy.LEFT_VOICEMAIL)
# Called (or a letter made): what counts as progress on an outage's callbacks.
FINISHED = tuple(sorted(policy.CLOSED_STATUSES - {policy.CANCELLED}))


def time_left(due_at, now):
    """A deadline in words: "in 3 h 12 min", "due now", "overdue by 25 min"."""
    if due_at is None:
        return "no deadline yet"
    seconds = (due_at - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    if minutes == 0:
        return "due now"
    hours, minutes = divmod(minutes, 60)
    words = f"{hours} h {minutes} min" if hours else f"{minutes} min"
    return f"in {words}" if seconds > 0 else f"overdue by {words}"


def start_of_day(now):
    """Local midnight of ``now``'s day (the console's time zone), aware."""
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date(), time()), local.tzinfo)


@dataclass(frozen=True)
class Item:
    """A callback with its deadline in words and its risk, for display."""

    callback: CallbackRequest
    left: str
    risk: str
    risk_label: str


def _items(callbacks, now):
    margin = conf.rules().at_risk_margin
    items = []
    for callback in callbacks:
        risk = policy.risk(due_at=callback.due_at, now=now, margin=margin)
        items.append(
            Item(callback, time_left(callback.due_at, now), risk, policy.RISK_LABELS[risk])
        )
    return items


def agents_for_work():
    """Active users who take calls (agents and above), by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=roles.ROLES)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _count(grouped):
    """A correlated COUNT(*) of a queryset grouped by its outer reference, 0 when empty."""
    counted = grouped.order_by().annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _agent_rows(now):
    held = CallbackRequest.objects.filter(
        assigned_to=OuterRef("pk"), status__in=services.HELD_STATUSES
    )
    done = CallbackAttempt.objects.filter(
        agent=OuterRef("pk"), at__gte=start_of_day(now), outcome__in=DONE_OUTCOMES
    )
    duty = AgentDuty.objects.filter(agent=OuterRef("pk"))

    return agents_for_work().annotate(
        held=_count(held.values("assigned_to")),
        done_today=_count(done.values("agent")),
        next_due=Subquery(held.values("assigned_to").annotate(m=Min("due_at")).values("m")),
        on_duty=Coalesce(Subquery(duty.values("on_duty")[:1]), Value(False)),
        own_cap=Subquery(duty.values("cap")[:1]),
    )


@dataclass(frozen=True)
class Board:
    now: datetime
    by_status: list
    open_total: int
    overdue: int
    at_risk: int
    unassigned: int
    letters_to_send: int
    agents: list
    outages: list
    callbacks: list
    automatic_strategy: str
    automatic_cap: int
    last_run: DistributionRun | None
    default_cap: int
    target_hours: int
    # Due deadlines whose target fell in closed hours (policy: brought forward to the closing
    # or moved to the next opening), and any still in closed hours; calling hours; open now.
    closed_hours: dict
    calling_hours: schedule.CallingHours
    calling_now: bool
    escalated: int
    channel: str = ""
    channels: list = ()

    @cached_property
    def on_duty_agents(self):
        """Whom a callback can be given to from its row: the agents on duty (one off duty is
        put on duty first, as a bulk assignment asks). Every row lists them, so the whole
        staff in each of the 50 rows would be thousands of options."""
        return [agent for agent in self.agents if agent.on_duty]


def queue_board(*, now, channel=""):
    margin = conf.rules().at_risk_margin
    # Open statuses only, through the status index: the finished ones are a year of history
    # (millions of rows) and the board is about the work still to do.
    counts = dict(
        CallbackRequest.objects.open()
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    hours = conf.calling_hours()
    closed_hours, workable = _workable_figures(now=now, margin=margin, hours=hours)
    by_status = [
        (policy.STATUS_LABELS[s], s, counts.get(s, 0))
        for s in policy.STATUSES
        if s in policy.OPEN_STATUSES
    ]
    default_cap = services.default_cap()
    agents = _board_agents(now=now, margin=margin, default_cap=default_cap)
    outage_rows = _restored_outage_rows(now=now, margin=margin)
    callbacks = _board_callbacks(now=now, channel=channel)
    strategy, cap, _ = services.automatic_settings()
    closed = {key: workable[key] for key in closed_hours if key != "escalated"}
    closed["total"] = sum(closed.values())
    return Board(
        closed_hours=closed,
        calling_hours=hours,
        calling_now=schedule.in_calling_hours(now, hours=hours),
        escalated=workable["escalated"],
        now=now,
        by_status=by_status,
        open_total=sum(counts.get(s, 0) for s in policy.OPEN_STATUSES),
        overdue=workable["overdue"],
        at_risk=workable["at_risk"],
        unassigned=workable["unassigned"],
        letters_to_send=Letter.objects.filter(status=Letter.Status.TO_SEND).count(),
        agents=agents,
        outages=outage_rows,
        callbacks=callbacks,
        automatic_strategy=services.STRATEGY_LABELS[strategy],
        automatic_cap=cap,
        last_run=DistributionRun.objects.select_related("started_by").first(),
        default_cap=default_cap,
        channel=channel,
        channels=list(policy.CHANNEL_LABELS.items()),
        target_hours=conf.target_hours(),
    )


def _workable_figures(*, now, margin, hours):
    """``(closed-hours aggregates, figures)`` of the due callbacks, in one query: overdue, at
    risk, unassigned, and the deadlines calling hours moved."""
    annotations, closed_hours = callback_selectors.closed_hours_aggregates(hours=hours)
    workable = (
        CallbackRequest.objects.workable()
        .annotate(**annotations)
        .aggregate(
            **closed_hours,
            overdue=Count("id", filter=Q(due_at__lt=now)),
            at_risk=Count("id", filter=Q(due_at__gte=now, due_at__lte=now + margin)),
            unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
        )
    )
    return closed_hours, workable


def _board_agents(*, now, margin, default_cap):
    """The agents' rows with their cap and how their next deadline stands."""
    agents = list(_agent_rows(now))
    for agent in agents:
        agent.cap = agent.own_cap or default_cap
        agent.next_left = time_left(agent.next_due, now) if agent.next_due else ""
        agent.next_risk = policy.risk(due_at=agent.next_due, now=now, margin=margin)
    return agents


def _restored_outage_rows(*, now, margin):
    """Restored outages with callbacks still open or restored in the last day, oldest
    restoration first: their first deadline, the share closed, and how the deadline stands."""

    # Chosen first, then counted per outage through the (outage, status) index. Over a year
    # of history, one query that filtered and counted together read every callback: the
    # planner cannot tell how few outages still have open work, and expected hundreds (its
    # estimate also switched on JIT compilation, which cost more than the counting).
    def callbacks(**filters):
        return CallbackRequest.objects.filter(outage=OuterRef("pk"), **filters)

    recent = Q(restored_at__gte=now - timedelta(days=1))
    current = list(
        Outage.objects.filter(restored_at__isnull=False)
        .filter(Exists(callbacks(status__in=policy.OPEN_STATUSES)) | recent)
        .order_by("restored_at")
        .values_list("pk", flat=True)[:BOARD_OUTAGES_CONSIDERED]
    )
    # Each count once, in the select list (a filter on one would run it again); the total is
    # the finished and the open ones (every status but cancelled).
    outages = (
        Outage.objects.filter(pk__in=current)
        .annotate(
            closed=_count(callbacks(status__in=FINISHED).values("outage")),
            still_open=_count(callbacks(status__in=policy.OPEN_STATUSES).values("outage")),
            late=_count(
                callbacks(status__in=policy.WORKABLE_STATUSES, due_at__lt=now).values("outage")
            ),
        )
        .order_by("restored_at")
    )
    target = conf.rules().target
    outage_rows = []
    for outage in outages:
        outage.total = outage.closed + outage.still_open
        if not outage.total:
            continue
        deadline = outage.restored_at + target
        outage_rows.append(
            {
                "outage": outage,
                "deadline": deadline,
                "left": time_left(deadline, now),
                "percent": round(100 * outage.closed / outage.total),
                "risk": policy.risk(due_at=deadline, now=now, margin=margin)
                if outage.still_open
                else policy.ON_TRACK,
            }
        )
    return outage_rows[:BOARD_OUTAGES]


def _board_callbacks(*, now, channel):
    """The first due callbacks by deadline (of one channel, when chosen)."""
    due = CallbackRequest.objects.workable().select_related("assigned_to", "outage")
    if channel:
        due = due.filter(channel=channel)
    return _items(due.order_by("due_at", "id")[:BOARD_CALLBACKS], now)


# --- What a bulk assignment can take ------------------------------------------------------
# The form offers only the outages and areas with callbacks to assign (distributable: queued
# or retry, no agent holds it, not escalated), with how many each has. An outage of every area
# can leave thousands of areas with one or two callbacks each: the list shows those with the
# most, and says how many more there are.
ASSIGNABLE_AREAS_SHOWN = 200


@dataclass(frozen=True)
class Assignable:
    """``rows``: ``(id, label, count)`` to offer; ``total``: callbacks to assign in all;
    ``more``: how many more have work than are offered."""

    rows: list
    total: int
    more: int = 0


def _assignable_groups(*fields):
    """The callbacks to assign grouped by ``fields``, in one query over the open statuses:
    ``(rows whose first field is set, with their count last; total of every group)``."""
    grouped = (
        CallbackRequest.objects.distributable()
        .order_by()
        .values_list(*fields)
        .annotate(n=Count("id"))
    )
    rows, total = [], 0
    for *values, n in grouped:
        total += n
        if values[0] is not None:
            rows.append((*values, n))
    return rows, total


def assignable_outages():
    """Outages with callbacks to assign, latest restoration first (the callbacks with no
    outage count in the total only)."""
    rows, total = _assignable_groups("outage_id", "outage__title", "outage__restored_at")
    rows.sort(key=lambda row: (row[2] is not None, row[2]), reverse=True)
    return Assignable(rows=[(pk, title, n) for pk, title, _, n in rows], total=total)


def assignable_areas():
    """The customers' areas with callbacks to assign, by code: the ``ASSIGNABLE_AREAS_SHOWN``
    with the most callbacks."""
    rows, total = _assignable_groups(
        "customer__area_id", "customer__area__code", "customer__area__name"
    )
    rows = [(pk, f"{code} {name}", n) for pk, code, name, n in rows]
    kept = sorted(rows, key=lambda row: (-row[2], row[1]))[:ASSIGNABLE_AREAS_SHOWN]
    kept.sort(key=lambda row: row[1])
    return Assignable(rows=kept, total=total, more=len(rows) - len(kept))


def outage_has_assignable(outage_id):
    return CallbackRequest.objects.distributable().filter(outage_id=outage_id).exists()


def area_has_assignable(area_id):
    return CallbackRequest.objects.distributable().filter(customer__area_id=area_id).exists()


@dataclass(frozen=True)
class MyCallbacks:
    now: datetime
    items: list
    on_duty: bool
    cap: int
    waiting_in_queue: int


def my_callbacks(*, agent, now):
    held = (
        CallbackRequest.objects.filter(assigned_to=agent, status__in=services.HELD_STATUSES)
        .select_related("outage")
        .order_by("due_at", "id")
    )
    duty = AgentDuty.objects.filter(agent=agent).first()
    cap = duty.cap if duty and duty.cap is not None else services.default_cap()
    return MyCallbacks(
        now=now,
        items=_items(held, now),
        on_duty=bool(duty and duty.on_duty),
        cap=cap,
        waiting_in_queue=CallbackRequest.objects.distributable().count(),
    )


# --- The staffing alarm ------------------------------------------------------------------
STAFFING_STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class StaffingAlarm:
    forecast: StaffingForecast | None
    sentence: str
    alarm: bool
    stale: bool
    target_hours: float


def staffing_alarm(*, now):
    """The latest staffing forecast for the queue board and the reports (a stored snapshot:
    reading it costs one indexed query whatever the queue's size)."""
    latest = StaffingForecast.objects.order_by("-computed_at", "-id").first()
    target_hours = conf.rules().target.total_seconds() / 3600
    if latest is None:
        return StaffingAlarm(None, "No staffing forecast yet.", False, True, target_hours)
    return StaffingAlarm(
        forecast=latest,
        sentence=staffing_sentence(latest, target_hours=target_hours),
        alarm=latest.will_miss > latest.already_late,
        stale=now - latest.computed_at > STAFFING_STALE_AFTER,
        target_hours=target_hours,
    )


def staffing_sentence(row, *, target_hours):
    return staffing.Forecast(
        open_callbacks=row.open_callbacks,
        already_late=row.already_late,
        agents_on_duty=row.agents_on_duty,
        will_miss=row.will_miss,
        agents_needed=row.agents_needed,
        capacity_bound=row.capacity_bound,
        handle_minutes=row.handle_minutes,
    ).sentence(target_hours)


def staffing_forecasts_for_outage(outage_id):
    """The forecasts a restoration of this outage triggered, oldest first."""
    return list(StaffingForecast.objects.filter(outage_id=outage_id).order_by("computed_at", "id"))
