"""Distributing the callback work: duty, strategies, claiming the next callback.

Writes live here (services for the workload); the rules they follow are in ``policy``.

Distribution is set-based: whatever the size of the queue, a run is a constant number of SQL
statements. The agents' free slots and the due callbacks are both numbered with
``ROW_NUMBER()`` and joined number to number, so the earliest deadline meets the first slot:

* ``least_loaded``: slots are ordered by the load the agent would have after taking it, so the
  earliest deadline goes to the least-loaded agent and loads even out;
* ``round_robin``: each agent's first new callback, then each one's second, ... in turn,
  whatever they hold already;
* a bulk assignment gives one agent the earliest-due callbacks of a selection (outage, area,
  deadline band) up to their cap.

An agent holds at most their own cap (``AgentDuty.cap``) when it is set, otherwise the run's
cap (``callbacks.conf.agent_cap()`` unless the team lead picks another). Open assigned work
counts against the cap: assigned callbacks and the retries an agent holds.

On PostgreSQL the update and its timeline rows are one statement (``UPDATE ... RETURNING`` in
a ``WITH``), serialised between runs by a transaction advisory lock; SQLite (the embedded mode,
one writer at a time) runs the same selection in three statements.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from callbacks import conf as callback_conf
from callbacks import events as callback_events
from callbacks import policy
from callbacks import services as callback_services
from callbacks.models import (
    AgentDuty,
    CallbackAttempt,
    CallbackEvent,
    CallbackRequest,
    DistributionRun,
)
from callbacks.services import CallbackError, record_event
from core import roles
from core.audit import audit_record
from core.db import prepared_cursor
from core.people import display_name
from outages.models import Customer
from planning import staffing
from planning.models import StaffingForecast
from schedule import policy as schedule

LEAST_LOADED = "least_loaded"
ROUND_ROBIN = "round_robin"
MANUAL = "manual"

STRATEGY_LABELS = {
    LEAST_LOADED: "Earliest deadline first, least-loaded agent first",
    ROUND_ROBIN: "Earliest deadline first, agents in turn (round robin)",
}
MANUAL_LABEL = "Bulk assignment to one agent"
AUTOMATIC_STRATEGY = LEAST_LOADED

# Slot order per strategy, over ``n.k`` (the agent's load once the slot is filled) and the
# agent columns. Agents holding nothing, then the one whose latest assignment is oldest, go first.
_AGENT_TURN = "(a.last_at IS NOT NULL), a.last_at, a.agent_id"
_SLOT_ORDER = {
    LEAST_LOADED: f"n.k, {_AGENT_TURN}",
    ROUND_ROBIN: f"n.k - a.held, {_AGENT_TURN}",
}

# Memory for the distribution's sorts, for its transaction only.
_SORT_MEMORY = "64MB"
# An advisory lock key: concurrent runs would each fill the same free slots.
_LOCK_KEY = 727_001
DUTY_CHANGED = "duty.changed"
CAP_CHANGED = "cap.changed"

HELD_STATUSES = tuple(sorted(policy.WORKABLE_STATUSES - {policy.QUEUED}))  # assigned, retry
_DISTRIBUTABLE = tuple(sorted(policy.DISTRIBUTABLE_STATUSES))


class DistributionError(CallbackError):
    """A refused request, with a message for the user (and the form field it concerns)."""


@dataclass(frozen=True)
class Selection:
    """Which unassigned due callbacks a bulk assignment takes. ``due_by``: deadline at or before
    this time (``None``: any deadline)."""

    outage_id: int | None = None
    area_id: int | None = None
    due_by: object = None


# Helpers


def default_cap():
    return callback_conf.agent_cap()


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _name_sql(alias):
    return (
        f"COALESCE(NULLIF(TRIM({alias}.first_name || ' ' || {alias}.last_name), ''), "
        f"{alias}.username)"
    )


def _status_case(column, mapping):
    """``CASE column WHEN from THEN to ... END`` from a policy mapping, with its params."""
    whens = " ".join("WHEN %s THEN %s" for _ in mapping)
    params = [value for pair in mapping.items() for value in pair]
    return f"CASE {column} {whens} ELSE {column} END", params


def _in(values):
    return "(" + ", ".join("%s" for _ in values) + ")", list(values)


ASSIGN_MAPPING = {status: policy.status_after_assign(status) for status in _DISTRIBUTABLE}
UNASSIGN_MAPPING = {status: policy.status_after_unassign(status) for status in HELD_STATUSES}


def _db_time(value):
    """A datetime as the backend stores it, for parameters of hand-written SQL."""
    return connection.ops.adapt_datetimefield_value(value)


def _held_count(agent):
    return CallbackRequest.objects.filter(assigned_to=agent, status__in=HELD_STATUSES).count()


def _agent_cap(agent, *, cap=None):
    duty = AgentDuty.objects.filter(agent=agent).first()
    if duty is not None and duty.cap is not None:
        return duty.cap
    return cap if cap is not None else default_cap()


def _distribute_on_commit():
    """Work went back to the queue or an agent came on duty: announce that work is due once
    this commits (the workload's own subscriber then asks the workers for a distribution)."""
    callback_events.announce_work_due_on_commit()


# The set-based assignment


def _offerable(now):
    """Due, unheld callbacks that may be offered at ``now``: in calling hours, and not before
    the customer's window opens (``schedule.offerable``)."""
    return CallbackRequest.objects.distributable().offerable(
        now=now, hours=callback_conf.calling_hours()
    )


def _selection_sql(selection, *, now):
    """The unassigned due callbacks of a selection that may be offered at ``now``, as SQL
    (id, status, due_at) with params."""
    callbacks = _offerable(now)
    if selection is not None:
        if selection.outage_id is not None:
            callbacks = callbacks.filter(outage_id=selection.outage_id)
        if selection.area_id is not None:
            # A subquery, not a join: the rows are locked, and only callbacks should be.
            callbacks = callbacks.filter(
                customer_id__in=Customer.objects.filter(area_id=selection.area_id).values("id")
            )
        if selection.due_by is not None:
            callbacks = callbacks.filter(due_at__lte=selection.due_by)
    return callbacks.order_by().values("id", "status", "due_at").query.sql_with_params()


# The numbered due work zipped with the numbered slots: the first deadline meets the first slot.
_ZIPPED = """picked AS (
            SELECT p.id AS id, p.from_status AS from_status, p.agent_id AS agent_id
              FROM unnest(
                       ARRAY(SELECT todo.id FROM todo ORDER BY todo.rn),
                       ARRAY(SELECT todo.status FROM todo ORDER BY todo.rn),
                       ARRAY(SELECT slots.agent_id FROM slots ORDER BY slots.rn)
                   ) AS p(id, from_status, agent_id)
             WHERE p.id IS NOT NULL AND p.agent_id IS NOT NULL
        )"""

# On PostgreSQL the rows are locked as they are chosen (a claim in progress keeps its row, and
# no claim can take one of these until this commits), then the deadline order is zipped with
# the slot order: no join for the planner to misjudge right after a release, when the table's
# statistics do not know the new rows yet.
_PICKED_POSTGRES = (
    """todo AS MATERIALIZED (
            SELECT s.id AS id, s.status AS status,
                   ROW_NUMBER() OVER (ORDER BY s.due_at, s.id) AS rn
              FROM (SELECT t.id, t.status, t.due_at FROM ({todo_sql}) t
                     ORDER BY t.due_at, t.id LIMIT (SELECT COUNT(*) FROM slots)
                     FOR UPDATE SKIP LOCKED) s
        ),
        """
    + _ZIPPED
)

# SQLite (one writer at a time): number the selection and join it to the slots.
_PICKED_SQLITE = """todo AS (
            SELECT t.id AS id, t.status AS status,
                   ROW_NUMBER() OVER (ORDER BY t.due_at, t.id) AS rn
              FROM ({todo_sql}) t
        ),
        picked AS (
            SELECT todo.id AS id, todo.status AS from_status, slots.agent_id AS agent_id
              FROM todo JOIN slots ON slots.rn = todo.rn
        )"""


def _agent_filter(only_agent):
    if only_agent is None:
        return "", []
    return " AND d.agent_id = %s", [only_agent.pk]


def _slots_sql(*, strategy, cap, only_agent):
    """``WITH RECURSIVE agents, n, slots``: every free slot of the agents on duty, numbered in
    the strategy's order, as SQL with its params. Only users who hold a role take callbacks
    (one put on duty without one is skipped)."""
    cb, duty, user = _table(CallbackRequest), _table(AgentDuty), _table(get_user_model())
    user_groups, group = _table(get_user_model().groups.through), _table(Group)
    role_names, role_params = _in(roles.ROLES)
    held_in, held_params = _in(HELD_STATUSES)
    agent_filter, agent_params = _agent_filter(only_agent)
    order = _SLOT_ORDER[LEAST_LOADED if strategy == MANUAL else strategy]
    sql = f"""
        WITH RECURSIVE
        agents AS (
            SELECT d.agent_id AS agent_id,
                   COALESCE(d.cap, %s) AS cap,
                   (SELECT COUNT(*) FROM {cb} h
                     WHERE h.assigned_to_id = d.agent_id AND h.status IN {held_in}) AS held,
                   (SELECT MAX(h.assigned_at) FROM {cb} h
                     WHERE h.assigned_to_id = d.agent_id AND h.status IN {held_in}) AS last_at
              FROM {duty} d JOIN {user} u ON u.id = d.agent_id
             WHERE d.on_duty AND u.is_active{agent_filter}
               AND (u.is_superuser OR EXISTS (
                    SELECT 1 FROM {user_groups} ug JOIN {group} g ON g.id = ug.group_id
                     WHERE ug.user_id = u.id AND g.name IN {role_names}))
        ),
        n(k) AS (
            SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < (SELECT MAX(cap) FROM agents)
        ),
        slots AS (
            SELECT a.agent_id AS agent_id, ROW_NUMBER() OVER (ORDER BY {order}) AS rn
              FROM agents a JOIN n ON n.k > a.held AND n.k <= a.cap
        )"""
    return sql, [cap, *held_params, *held_params, *agent_params, *role_params]


def _picks_sql(*, strategy, cap, now, only_agent, selection):
    """``WITH agents, n, slots, todo, picked``: the callbacks to move and who gets each, as
    SQL with its params. The agents' free slots and the due callbacks are numbered and
    matched."""
    slots, slot_params = _slots_sql(strategy=strategy, cap=cap, only_agent=only_agent)
    todo_sql, todo_params = _selection_sql(selection, now=now)
    picked = _PICKED_POSTGRES if connection.vendor == "postgresql" else _PICKED_SQLITE
    return f"{slots},\n        {picked.format(todo_sql=todo_sql)}", [*slot_params, *todo_params]


def _assign(*, strategy, cap, now, actor, reason, only_agent=None, selection=None):
    """Assign due, unassigned callbacks to free slots; returns ``{agent_id: count}``."""
    picks, params = _picks_sql(
        strategy=strategy, cap=cap, now=now, only_agent=only_agent, selection=selection
    )
    actor_id = actor.pk if actor else None
    if connection.vendor == "postgresql":
        return _move_postgres(
            picks, params, now=now, actor_id=actor_id, reason=reason, only_agent=only_agent
        )
    return _move_sqlite(picks, params, now=now, actor_id=actor_id, reason=reason)


def _lock_slots(cursor, *, agent_filter="", agent_params=()):
    """Serialise distributions (a transaction advisory lock) and lock the agents' duty rows."""
    duty = _table(AgentDuty)
    # With the lock, SET LOCAL work_mem: the slots and the due callbacks are sorted several
    # times (numbering, zipping), 2-4 MB each for a release of 100,000: on disk at the
    # default 4 MB. For this transaction only.
    cursor.execute(
        "SELECT pg_advisory_xact_lock(%s), set_config('work_mem', %s, true)",
        [_LOCK_KEY, _SORT_MEMORY],
    )
    # The agents' duty rows, as a claim locks them: no claim counts and takes while this
    # distribution fills the same agent's free slots (agent order: no deadlock).
    cursor.execute(
        f"SELECT d.id FROM {duty} d WHERE d.on_duty{agent_filter} ORDER BY d.agent_id FOR UPDATE",
        list(agent_params),
    )


def _move_postgres(picks, params, *, now, actor_id, reason, only_agent):
    """The update and its timeline rows in one statement (``UPDATE ... RETURNING`` in a
    ``WITH``), serialised between runs by a transaction advisory lock."""
    cb, user = _table(CallbackRequest), _table(get_user_model())
    events = _table(CallbackEvent)
    agent_filter, agent_params = _agent_filter(only_agent)
    to_status, to_params = _status_case("{col}", ASSIGN_MAPPING)
    at = _db_time(now)
    with connection.cursor() as cursor:
        _lock_slots(cursor, agent_filter=agent_filter, agent_params=agent_params)
        cursor.execute(
            f"""{picks},
            moved AS (
                UPDATE {cb} SET status = {to_status.format(col=f"{cb}.status")},
                       assigned_to_id = picked.agent_id, assigned_at = %s, updated_at = %s
                  FROM picked
                 WHERE {cb}.id = picked.id
                RETURNING {cb}.id AS id, picked.from_status AS from_status,
                          {cb}.status AS to_status, {cb}.assigned_to_id AS agent_id
            ),
            logged AS (
                INSERT INTO {events} (callback_id, at, actor_id, from_status, to_status, reason)
                SELECT moved.id, %s, CAST(%s AS INTEGER), moved.from_status, moved.to_status,
                       LEFT(CAST(%s AS TEXT) || {_name_sql("u")} || CAST(%s AS TEXT), 300)
                  FROM moved JOIN {user} u ON u.id = moved.agent_id
            )
            SELECT agent_id, COUNT(*) FROM moved GROUP BY agent_id""",
            [*params, *to_params, at, at, at, actor_id, "Assigned to ", f" ({reason})"],
        )
        return dict(cursor.fetchall())


def _move_sqlite(picks, params, *, now, actor_id, reason):
    """The same selection in three statements: count, timeline rows, update (SQLite has one
    writer at a time, so nothing moves in between)."""
    cb, events, user = _table(CallbackRequest), _table(CallbackEvent), _table(get_user_model())
    to_status, to_params = _status_case("{col}", ASSIGN_MAPPING)
    at = _db_time(now)
    with connection.cursor() as cursor:
        cursor.execute(f"{picks} SELECT agent_id, COUNT(*) FROM picked GROUP BY agent_id", params)
        counts = dict(cursor.fetchall())
        if not counts:
            return counts
        cursor.execute(
            f"""{picks}
            INSERT INTO {events} (callback_id, at, actor_id, from_status, to_status, reason)
            SELECT picked.id, %s, %s, picked.from_status,
                   {to_status.format(col="picked.from_status")},
                   SUBSTR(%s || {_name_sql("u")} || %s, 1, 300)
              FROM picked JOIN {user} u ON u.id = picked.agent_id""",
            [*params, at, actor_id, *to_params, "Assigned to ", f" ({reason})"],
        )
        cursor.execute(
            f"""{picks}
            UPDATE {cb} SET status = {to_status.format(col=f"{cb}.status")},
                   assigned_to_id = picked.agent_id, assigned_at = %s, updated_at = %s
              FROM picked WHERE {cb}.id = picked.id""",
            [*params, *to_params, at, at],
        )
    return counts


def _record_run(*, strategy, actor, now, cap, counts, detail=""):
    assigned = sum(counts.values())
    agents = len(counts)
    summary = f"{assigned} callbacks to {agents} agent{'' if agents == 1 else 's'}"
    return DistributionRun.objects.create(
        strategy=strategy,
        started_by=actor,
        at=now,
        cap=cap,
        assigned=assigned,
        detail=(f"{detail}; {summary}" if detail else summary)[:300],
    )


# Distribution runs


def _check_cap(cap):
    if cap is None:
        return default_cap()
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= 1000:
        raise DistributionError("The cap must be a whole number from 1 to 1000.", field="cap")
    return cap


@transaction.atomic
def queue_distribute(*, actor, now, strategy, cap=None):
    """Hand due, unassigned callbacks to the agents on duty, earliest deadline first, up to
    each agent's cap. Returns the ``DistributionRun`` it recorded."""
    if strategy not in STRATEGY_LABELS:
        raise DistributionError("Choose how to distribute the queue.", field="strategy")
    cap = _check_cap(cap)
    counts = _assign(
        strategy=strategy, cap=cap, now=now, actor=actor, reason=STRATEGY_LABELS[strategy]
    )
    return _record_run(strategy=strategy, actor=actor, now=now, cap=cap, counts=counts)


def automatic_settings():
    """The strategy and cap automatic runs use: those of the latest run a team lead started
    (earliest deadline first to the least-loaded agent, default cap, until one does)."""
    run = (
        DistributionRun.objects.filter(started_by__isnull=False, strategy__in=STRATEGY_LABELS)
        .order_by("-at", "-id")
        .first()
    )
    if run is None:
        return AUTOMATIC_STRATEGY, default_cap(), None
    return run.strategy, run.cap, run


@transaction.atomic
def queue_distribute_auto(*, now):
    """Distribute due, unassigned callbacks to agents on duty with the automatic strategy.
    Returns how many were assigned. A run that assigns nothing leaves no row (the schedule runs
    it every minute)."""
    strategy, cap, _ = automatic_settings()
    counts = _assign(
        strategy=strategy,
        cap=cap,
        now=now,
        actor=None,
        reason=f"automatic: {STRATEGY_LABELS[strategy]}",
    )
    if counts:
        _record_run(
            strategy=strategy, actor=None, now=now, cap=cap, counts=counts, detail="automatic"
        )
    return sum(counts.values())


# A restoration's release and its distribution in one statement (PostgreSQL). The free slots
# are zipped, earliest deadline first, with the due work: what the queue already holds and the
# restored outage's waiting callbacks at the deadline the release gives them. Each waiting
# callback is written once (released, and assigned when a slot is free) with the release's
# timeline row and, when assigned, the assignment's: the same rows and history as a release
# followed by a distribution, with one row version instead of two.
# It opens with a comment, so ``pg_stat_activity`` (which keeps a statement's first kilobyte)
# names it while it runs.
RELEASE_STATEMENT_LABEL = "/* workload: release and distribute */"
_RELEASE_ASSIGNING = (
    RELEASE_STATEMENT_LABEL
    + """{slots},
        queue AS (
            SELECT t.id, t.status, t.due_at FROM ({todo_sql}) t
             ORDER BY t.due_at, t.id LIMIT (SELECT COUNT(*) FROM slots) FOR UPDATE SKIP LOCKED
        ),
        released AS (
            SELECT w.id, w.status, {due_sql} AS due_at FROM {cb} w
             WHERE {waiting} AND w.preferred_window = %s AND w.window_start IS NULL
               AND w.escalated_at IS NULL
             ORDER BY 3, w.id LIMIT (SELECT COUNT(*) FROM slots)
        ),
        todo AS MATERIALIZED (
            SELECT s.id AS id, s.status AS status,
                   ROW_NUMBER() OVER (ORDER BY s.due_at, s.id) AS rn
              FROM (SELECT * FROM queue UNION ALL SELECT * FROM released) s
             ORDER BY s.due_at, s.id LIMIT (SELECT COUNT(*) FROM slots)
        ),
        {zipped},
        targets AS (
            SELECT w.id AS id, w.status AS from_status, p.agent_id AS agent_id
              FROM {cb} w LEFT JOIN picked p ON p.id = w.id
             WHERE {waiting}
            UNION ALL
            SELECT p.id, p.from_status, p.agent_id FROM picked p WHERE p.from_status <> %s
        ),
        moved AS (
            UPDATE {cb} SET
                   status = CASE WHEN targets.agent_id IS NULL THEN %s
                                 WHEN targets.from_status = %s THEN %s
                                 ELSE {to_status} END,
                   due_at = CASE WHEN targets.from_status = %s THEN {due_sql_cb}
                                 ELSE {cb}.due_at END,
                   released_at = CASE WHEN targets.from_status = %s THEN %s
                                      ELSE {cb}.released_at END,
                   assigned_to_id = COALESCE(targets.agent_id, {cb}.assigned_to_id),
                   assigned_at = CASE WHEN targets.agent_id IS NULL THEN {cb}.assigned_at
                                      ELSE %s END,
                   updated_at = %s
              FROM targets
             WHERE {cb}.id = targets.id AND {cb}.status = targets.from_status
            RETURNING {cb}.id AS id, targets.from_status AS from_status,
                      {cb}.status AS to_status, targets.agent_id AS agent_id
        ),
        logged AS (
            INSERT INTO {events} (callback_id, at, actor_id, from_status, to_status, reason)
            SELECT e.id, %s, NULL, e.from_status, e.to_status, e.reason FROM (
                SELECT moved.id, 1 AS step, moved.from_status, %s AS to_status, %s AS reason
                  FROM moved WHERE moved.from_status = %s
                UNION ALL
                SELECT moved.id, 2, CASE WHEN moved.from_status = %s THEN %s
                                         ELSE moved.from_status END,
                       moved.to_status,
                       LEFT(CAST(%s AS TEXT) || {name} || CAST(%s AS TEXT), 300)
                  FROM moved JOIN {user} u ON u.id = moved.agent_id
            ) e ORDER BY e.id, e.step
        )
        SELECT agent_id, COUNT(*) FILTER (WHERE from_status = %s), COUNT(*)
          FROM moved GROUP BY agent_id"""
)


def _release_assigning(outage, *, now, strategy, cap):
    """Release ``outage``'s waiting callbacks and fill the free slots, in one statement
    (``_RELEASE_ASSIGNING``). Returns (released, {agent_id: assigned})."""
    cb, user, events = _table(CallbackRequest), _table(get_user_model()), _table(CallbackEvent)
    slots, slot_params = _slots_sql(strategy=strategy, cap=cap, only_agent=None)
    todo_sql, todo_params = _selection_sql(None, now=now)
    due_sql, due_params = callback_services.release_due_sql(outage, alias="w")
    due_sql_cb, _ = callback_services.release_due_sql(outage, alias=cb)
    waiting, waiting_params = "w.outage_id = %s AND w.status = %s", [outage.pk, policy.WAITING]
    to_status, to_params = _status_case(f"{cb}.status", ASSIGN_MAPPING)
    at = _db_time(now)
    sql = _RELEASE_ASSIGNING.format(
        slots=slots,
        todo_sql=todo_sql,
        due_sql=due_sql,
        due_sql_cb=due_sql_cb,
        waiting=waiting,
        cb=cb,
        to_status=to_status,
        events=events,
        user=user,
        name=_name_sql("u"),
        zipped=_ZIPPED,
    )
    waiting_status, queued = policy.WAITING, policy.QUEUED
    assigned = ASSIGN_MAPPING[queued]
    # In the order of the statement's CTEs: queue and released, targets, moved, logged.
    params = [*slot_params, *todo_params, *due_params, *waiting_params, schedule.ANY_TIME]
    params += [*waiting_params, waiting_status]
    params += [queued, waiting_status, assigned, *to_params, waiting_status, *due_params]
    params += [waiting_status, at, at, at]
    params += [at, queued, callback_services.SYSTEM_RELEASE_REASON, waiting_status]
    params += [waiting_status, queued, "Assigned to ", f" (automatic: {STRATEGY_LABELS[strategy]})"]
    params += [waiting_status]
    with connection.cursor() as cursor:
        _lock_slots(cursor)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    released = sum(count for _, count, _ in rows)
    assigned = {agent_id: count for agent_id, _, count in rows if agent_id is not None}
    return released, assigned


@transaction.atomic
def queue_release_and_distribute(*, outage_id, now):
    """What the workers do when an outage is restored: release its waiting callbacks with
    their deadlines (``callbacks``' rules) and hand the due work to the agents on duty with the
    automatic strategy, as ``callbacks_release_for_outage`` followed by
    ``queue_distribute_auto`` would, but writing each released callback once. Returns
    ``(released, assigned)``; running it again finds nothing waiting.

    Outside calling hours nothing may be offered, and SQLite has no ``UPDATE`` in a ``WITH``:
    then it is that release followed by that distribution."""
    hours = callback_conf.calling_hours()
    if connection.vendor != "postgresql" or not schedule.in_calling_hours(now, hours=hours):
        released = callback_services.callbacks_release_for_outage(outage_id=outage_id, now=now)
        return released, queue_distribute_auto(now=now)
    outage = callback_services.restored_outage_locked(outage_id)
    if outage is None:
        return 0, 0
    strategy, cap, _ = automatic_settings()
    released, counts = _release_assigning(outage, now=now, strategy=strategy, cap=cap)
    callback_events.announce_on_commit()
    callback_services.release_finish(outage_id=outage_id, now=now, released=released)
    # What the statement could not place at once (a customer's window, an escalation, a
    # retry behind it): the usual distribution, which finds little or nothing.
    for agent_id, count in _assign(
        strategy=strategy,
        cap=cap,
        now=now,
        actor=None,
        reason=f"automatic: {STRATEGY_LABELS[strategy]}",
    ).items():
        counts[agent_id] = counts.get(agent_id, 0) + count
    if counts:
        _record_run(
            strategy=strategy, actor=None, now=now, cap=cap, counts=counts, detail="automatic"
        )
    return released, sum(counts.values())


@transaction.atomic
def queue_assign_bulk(*, actor, now, agent, selection):
    """Give ``agent`` the earliest-due unassigned callbacks of ``selection``, up to their cap.
    Returns the ``DistributionRun`` (``assigned`` may be fewer than selected: the cap)."""
    duty = AgentDuty.objects.filter(agent=agent).first()
    if duty is None or not duty.on_duty or not agent.is_active:
        raise DistributionError(
            f"{display_name(agent)} is not on callback duty: put them on duty first.", field="agent"
        )
    cap = _agent_cap(agent)
    counts = _assign(
        strategy=MANUAL,
        cap=cap,
        now=now,
        actor=actor,
        reason=MANUAL_LABEL.lower(),
        only_agent=agent,
        selection=selection,
    )
    parts = []
    if selection.outage_id:
        parts.append(f"outage #{selection.outage_id}")
    if selection.area_id:
        parts.append(f"area #{selection.area_id}")
    if selection.due_by:
        parts.append(f"due by {selection.due_by:%Y-%m-%d %H:%M %Z}")
    detail = f"to {display_name(agent)}: " + (", ".join(parts) or "any unassigned")
    return _record_run(strategy=MANUAL, actor=actor, now=now, cap=cap, counts=counts, detail=detail)


# One callback at a time


def _lock_agent(agent, *, now=None):
    """Lock the agent's duty row (creating it, off duty, if they have none): everything that
    gives this agent a callback takes this lock first, so counting what they hold and giving
    them one more are one step, and the cap holds however many claims run at once. A
    distribution locks the on-duty agents' rows the same way."""
    AgentDuty.objects.select_for_update().get_or_create(
        agent=agent, defaults={"on_duty": False, "changed_at": now or timezone.now()}
    )


def _check_room(agent, *, cap=None, verb="take"):
    _lock_agent(agent)
    held, limit = _held_count(agent), _agent_cap(agent, cap=cap)
    if held >= limit:
        _refuse_full(agent, held=held, limit=limit, verb=verb)


def _refuse_full(agent, *, held, limit, verb):
    raise DistributionError(
        f"{display_name(agent)} already holds {held} callbacks (cap {limit}): "
        f"nothing more to {verb} until some are done.",
        field="agent",
    )


def _locked(callback_id):
    callback = CallbackRequest.objects.select_for_update().filter(pk=callback_id).first()
    if callback is None:
        raise DistributionError("This callback no longer exists.")
    return callback


def _earliest_unlocked(*, status, now, before=None):
    """The earliest-due unassigned callback in ``status`` that no other transaction holds,
    locked; with ``before``, only one due earlier. One status at a time, so the scan follows
    the (assigned_to, status, due_at) index in deadline order instead of sorting the queue."""
    callbacks = _offerable(now).filter(status=status)
    if before is not None:
        callbacks = callbacks.filter(
            Q(due_at__lt=before.due_at) | Q(due_at=before.due_at, id__lt=before.id)
        )
    return callbacks.select_for_update(skip_locked=True).order_by("due_at", "id").first()


def _hold(callback, *, agent, now):
    """Give one locked callback to ``agent``; returns the status it had."""
    from_status = callback.status
    callback.status = policy.status_after_assign(from_status)
    callback.assigned_to = agent
    callback.assigned_at = now
    callback.updated_at = now
    callback.save(update_fields=["status", "assigned_to", "assigned_at", "updated_at"])
    return from_status


# The claim's candidate queries as the ORM writes them, by status and by whether calling hours
# are open (the only branch ``offerable`` takes): built once, since compiling them cost about
# as much client time as the rest of a claim. ``now`` is the only parameter that changes.
_CANDIDATES = {}


def _claim_candidates_sql(*, status, now):
    """The earliest-due offerable callback in ``status`` that no other transaction holds, as
    SQL (id, status, due_at) locked with ``FOR UPDATE SKIP LOCKED``."""
    hours = callback_conf.calling_hours()
    key = (status, hours, schedule.in_calling_hours(now, hours=hours))
    if key in _CANDIDATES:
        sql, params, built_at = _CANDIDATES[key]
        return sql, [now if _is_moment(value, built_at) else value for value in params]
    callbacks = _offerable(now).filter(status=status).order_by("due_at", "id")
    callbacks = callbacks.select_for_update(skip_locked=True).values("id", "status", "due_at")
    sql, params = callbacks[:1].query.sql_with_params()
    if sum(_is_moment(value, now) for value in params) <= 1:  # else: compiled every time
        _CANDIDATES[key] = (sql, params, now)
    return sql, params


def _is_moment(value, moment):
    return isinstance(value, datetime) and value == moment


def _claim_postgres(*, agent, now):
    """Count, choose, take and log in one statement once the agent's duty row is locked.

    Two statements in all: the duty row lock (its own statement so that the count that
    follows sees every claim committed while this one waited for the lock: a statement's
    snapshot is taken when it starts), then one ``WITH`` that counts what the agent holds,
    picks the earliest-due queued or retry callback (each status by its own index scan) only
    when they are under their cap, updates it and writes its timeline row. Returns the
    callback, or ``None`` with what they hold and their cap."""
    limit = _locked_cap(agent, now=now)
    sql, params = _claim_sql(agent=agent, now=now, limit=limit)
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        held, from_status, *row = cursor.fetchone()
    if from_status is None:
        return None, held, limit
    callback_events.announce_on_commit()
    fields = CallbackRequest._meta.concrete_fields
    callback = CallbackRequest.from_db(connection.alias, [f.attname for f in fields], row)
    return callback, held, limit


def _locked_cap(agent, *, now):
    """The agent's cap, their duty row locked until the claim commits."""
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            f"SELECT cap FROM {_table(AgentDuty)} WHERE agent_id = %s FOR UPDATE", [agent.pk]
        )
        duty = cursor.fetchone()
    if duty is None:
        _lock_agent(agent, now=now)  # first claim ever: the row is created, off duty
        duty = (None,)
    return duty[0] if duty[0] is not None else default_cap()


def _claim_sql(*, agent, now, limit):
    """The one statement that counts, chooses, takes and logs; its SQL and parameters."""
    cb, events = _table(CallbackRequest), _table(CallbackEvent)
    held_in, held_params = _in(HELD_STATUSES)
    to_status, to_params = _status_case(f"{cb}.status", ASSIGN_MAPPING)
    queued_sql, queued_params = _claim_candidates_sql(status=policy.QUEUED, now=now)
    retry_sql, retry_params = _claim_candidates_sql(status=policy.RETRY, now=now)
    fields = CallbackRequest._meta.concrete_fields
    columns = ", ".join(f"{cb}.{connection.ops.quote_name(f.column)}" for f in fields)
    at = _db_time(now)
    reason_length = CallbackEvent._meta.get_field("reason").max_length
    reason = f"Claimed by {display_name(agent)}"[:reason_length]
    sql = f"""WITH held AS (
            SELECT COUNT(*) AS n FROM {cb} h
             WHERE h.assigned_to_id = %s AND h.status IN {held_in}
        ),
        queued AS ({queued_sql}),
        retry AS ({retry_sql}),
        chosen AS (
            SELECT c.id, c.status FROM (SELECT * FROM queued UNION ALL SELECT * FROM retry) c
             WHERE (SELECT n FROM held) < %s
             ORDER BY c.due_at, c.id LIMIT 1
        ),
        moved AS (
            UPDATE {cb} SET status = {to_status}, assigned_to_id = %s, assigned_at = %s,
                   updated_at = %s
              FROM chosen WHERE {cb}.id = chosen.id
            RETURNING chosen.status AS from_status, {columns}
        ),
        logged AS (
            INSERT INTO {events} (callback_id, at, actor_id, from_status, to_status, reason)
            SELECT moved.id, %s, %s, moved.from_status, moved.status, %s FROM moved
        )
        SELECT held.n, moved.* FROM held LEFT JOIN moved ON TRUE"""
    params = [
        agent.pk,
        *held_params,
        *queued_params,
        *retry_params,
        limit,
        *to_params,
        agent.pk,
        at,
        at,
        at,
        agent.pk,
        reason,
    ]
    return sql, params


@transaction.atomic
def callback_claim_next(*, agent, now):
    """The earliest-deadline unassigned due callback, now held by ``agent``; ``None`` when the
    queue is empty. Concurrent claims never get the same callback: on PostgreSQL the row is
    taken with ``FOR UPDATE SKIP LOCKED``, so a claim passes over rows another claim holds
    (a queued row passed over for an earlier retry stays locked only until this commits)."""
    if connection.vendor == "postgresql":
        callback, held, limit = _claim_postgres(agent=agent, now=now)
        if callback is None and held >= limit:
            _refuse_full(agent, held=held, limit=limit, verb="claim")
        return callback
    _check_room(agent, verb="claim")
    callback = _earliest_unlocked(status=policy.QUEUED, now=now)
    retry = _earliest_unlocked(status=policy.RETRY, now=now, before=callback)
    callback = retry or callback
    if callback is None:
        return None
    from_status = _hold(callback, agent=agent, now=now)
    record_event(
        callback,
        actor=agent,
        now=now,
        from_status=from_status,
        to_status=callback.status,
        reason=f"Claimed by {display_name(agent)}",
    )
    return callback


@transaction.atomic
def callback_reassign(*, actor, now, callback_id, agent):
    """Give one open callback to ``agent`` (taking it from whoever holds it)."""
    if not agent.is_active or not roles.has_role(agent, roles.AGENT):
        raise DistributionError("Choose an agent who takes calls.", field="agent")
    callback = _locked(callback_id)
    if callback.status not in policy.WORKABLE_STATUSES:
        raise DistributionError(
            f"This callback is {policy.STATUS_LABELS[callback.status].lower()}: "
            "only due callbacks can be assigned."
        )
    previous = callback.assigned_to
    if previous is not None and previous.pk == agent.pk:
        raise DistributionError(
            f"{display_name(agent)} already holds this callback.", field="agent"
        )
    _check_room(agent, verb="assign")
    from_status = _hold(callback, agent=agent, now=now)
    reason = f"Assigned to {display_name(agent)}"
    if previous is not None:
        reason = f"Reassigned from {display_name(previous)} to {display_name(agent)}"
    record_event(
        callback,
        actor=actor,
        now=now,
        from_status=from_status,
        to_status=callback.status,
        reason=reason,
    )
    return callback


@transaction.atomic
def callback_unassign(*, actor, now, callback_id):
    """Take one callback back from its agent: assigned becomes queued, a retry stays a retry."""
    callback = _locked(callback_id)
    previous = callback.assigned_to
    if previous is None or callback.status not in HELD_STATUSES:
        raise DistributionError("No agent holds this callback.")
    from_status = callback.status
    callback.status = policy.status_after_unassign(from_status)
    callback.assigned_to = None
    callback.assigned_at = None
    callback.updated_at = now
    callback.save(update_fields=["status", "assigned_to", "assigned_at", "updated_at"])
    record_event(
        callback,
        actor=actor,
        now=now,
        from_status=from_status,
        to_status=callback.status,
        reason=f"Unassigned from {display_name(previous)}",
    )
    _distribute_on_commit()
    return callback


# Duty


@dataclass(frozen=True)
class DutyChange:
    duty: AgentDuty
    handed_back: int


@transaction.atomic
def agent_duty_set(*, actor, agent, on_duty, now):
    """Put ``agent`` on or off callback duty. Going off hands every callback they hold back to
    the queue (assigned ones become queued, retries stay retries for the next agent: they are
    due within the retry window and cannot wait for this agent's return), each with a timeline
    row. Going on asks for a distribution. Setting the state it already has changes nothing."""
    if on_duty and (not agent.is_active or not roles.has_role(agent, roles.AGENT)):
        raise DistributionError(
            f"{display_name(agent)} does not take calls (no Agent role): only agents, team leads "
            "and supervisors can be on callback duty.",
            field="agent",
        )
    duty, _ = AgentDuty.objects.select_for_update().get_or_create(
        agent=agent, defaults={"on_duty": False, "changed_at": now}
    )
    if duty.on_duty == on_duty:
        return DutyChange(duty=duty, handed_back=0)
    duty.on_duty = on_duty
    duty.changed_at = now
    duty.save(update_fields=["on_duty", "changed_at"])
    handed_back = 0
    if on_duty:
        _distribute_on_commit()
    else:
        handed_back = _hand_back(agent=agent, actor=actor, now=now)
        if handed_back:
            _distribute_on_commit()
    audit_record(
        action=DUTY_CHANGED,
        actor=actor,
        subject=agent.get_username(),
        detail={"on_duty": on_duty, "handed_back": handed_back},
        now=now,
    )
    return DutyChange(duty=duty, handed_back=handed_back)


def _hand_back(*, agent, actor, now):
    """Two statements: the timeline rows (INSERT ... SELECT), then the update."""
    held = CallbackRequest.objects.filter(assigned_to=agent, status__in=HELD_STATUSES)
    rows_sql, rows_params = held.order_by().values("id", "status").query.sql_with_params()
    to_status, to_params = _status_case("sub.status", UNASSIGN_MAPPING)
    reason = f"{display_name(agent)} went off callback duty: handed back to the queue"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(CallbackEvent)} "
            "(callback_id, at, actor_id, from_status, to_status, reason) "
            f"SELECT sub.id, %s, CAST(%s AS INTEGER), sub.status, {to_status}, %s "
            f"FROM ({rows_sql}) sub",
            [_db_time(now), actor.pk if actor else None, *to_params, reason[:300], *rows_params],
        )
    status_after = _case_expression(UNASSIGN_MAPPING)
    return held.update(status=status_after, assigned_to=None, assigned_at=None, updated_at=now)


def _case_expression(mapping):
    return Case(
        *[When(status=source, then=Value(target)) for source, target in mapping.items()],
        default=F("status"),
    )


@transaction.atomic
def agent_cap_set(*, actor, agent, cap, now):
    """Set how many open callbacks ``agent`` may hold (``None``: the default cap)."""
    if cap is not None:
        cap = _check_cap(cap)
    duty, _ = AgentDuty.objects.select_for_update().get_or_create(
        agent=agent, defaults={"on_duty": False, "changed_at": now}
    )
    previous = duty.cap
    duty.cap = cap
    duty.changed_at = now
    duty.save(update_fields=["cap", "changed_at"])
    audit_record(
        action=CAP_CHANGED,
        actor=actor,
        subject=agent.get_username(),
        detail={"from": previous, "to": cap},
        now=now,
    )
    return duty


# --- The staffing alarm ------------------------------------------------------------------
# Its inputs are read here, beside the one write they feed (selectors import this module).
STAFFING_RECENT = timedelta(hours=24)
STAFFING_RECENT_ATTEMPTS = 2000
STAFFING_MIX_MINIMUM = 50


def _staffing_open_callbacks(*, now, max_attempts):
    """The callbacks someone must still call (they have a deadline), as the forecast sees
    them: seconds to their deadline and attempts left. One query, two columns."""
    rows = CallbackRequest.objects.workable().order_by().values_list("due_at", "attempts")
    return [
        staffing.OpenCallback(
            due_in=int((due_at - now).total_seconds()),
            attempts_left=max(1, max_attempts - attempts),
        )
        for due_at, attempts in rows.iterator(chunk_size=5000)
    ]


def _staffing_agents_on_duty():
    return AgentDuty.objects.filter(on_duty=True, agent__is_active=True).count()


def _staffing_recent_attempts(*, now):
    """The latest attempts of the last day (agent, time, outcome), newest first, capped."""
    return list(
        CallbackAttempt.objects.filter(at__gte=now - STAFFING_RECENT, at__lte=now)
        .order_by("-at")
        .values_list("agent_id", "at", "outcome")[:STAFFING_RECENT_ATTEMPTS]
    )


def _staffing_observed(*, now):
    """The handle time (minutes) and outcome mix observed in recent attempts, each None when
    there are too few to trust (the forecast then uses its defaults)."""
    attempts = _staffing_recent_attempts(now=now)
    by_agent = {}
    for agent_id, at, _ in attempts:
        by_agent.setdefault(agent_id, []).append(at)
    handle = staffing.observed_handle_minutes(by_agent)
    counted = [outcome for _, _, outcome in attempts]
    answered = counted.count(policy.ANSWERED)
    voicemail = counted.count(policy.LEFT_VOICEMAIL)
    no_voicemail = counted.count(policy.NO_VOICEMAIL)
    total = answered + voicemail + no_voicemail
    mix = None
    if total >= STAFFING_MIX_MINIMUM:
        mix = (answered / total, voicemail / total, no_voicemail / total)
    return handle, mix


FORECAST_KEEP = timedelta(days=7)


def staffing_forecast_refresh(*, now, outage_id=None, trigger="schedule"):
    """Run the restoration simulation on the real open callbacks and the agents on duty, and
    store the result for the queue board and the reports. Forecasts a restoration triggered
    are kept (the post-incident report shows them); scheduled ones for a week.

    The simulation (seconds for ten thousand callbacks) runs outside any transaction: it only
    reads, and no lock or snapshot should be held while it thinks; the write is one short
    transaction."""
    started = time.perf_counter()
    rules = callback_conf.rules()
    handle, mix = _staffing_observed(now=now)
    seed = int(now.timestamp()) // 60
    result = staffing.forecast(
        _staffing_open_callbacks(now=now, max_attempts=rules.max_attempts),
        agents_on_duty=_staffing_agents_on_duty(),
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
