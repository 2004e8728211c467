"""Restoring one outage with 100,000 waiting callbacks until all are released and distributed
to 300 agents on duty, in this process: ``outage_restore`` (the supervisor's action), then
``queue_release_and_distribute`` (what the workers run on the restoration event), timed apart
and together, statements counted."""

import math
import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

CALLBACKS = 100_000
AGENTS = 300
TARGET_SECONDS = 3.0
# The product within this multiple of the bare statements writing the same rows.
TARGET_RATIO = 2.0
TITLE = "Release benchmark"
# A step that runs longer than this is stopped and reported (the run stays bounded in time).
STEP_TIMEOUT_SECONDS = 60


class StepTimedOut(Exception):
    pass


def _step(name, steps, function):
    from django.db import OperationalError

    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        try:
            value = function()
        except OperationalError as exc:
            if "statement timeout" not in str(exc):
                raise
            steps[name] = {
                "seconds": None,
                "statements": len(captured),
                "timed_out_after_s": STEP_TIMEOUT_SECONDS,
                "plan_of_stopped_statement": _plan(captured.captured_queries[-1]["sql"]),
            }
            raise StepTimedOut(name) from exc
        took = time.perf_counter() - began
    steps[name] = {"seconds": round(took, 3), "statements": len(captured)}
    return value


def _plan(sql):
    """PostgreSQL's plan (estimates only) for a statement that did not finish."""
    if not sql.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "INSERT")):
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            return [row[0] for row in cursor.fetchall()][:60]
    except Exception as exc:  # noqa: BLE001 - the plan is a diagnostic, never the result
        return [f"(no plan: {exc})"]


def _statement_timeout(seconds):
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")


def calling_moment():
    """Two hours after calling hours open today in the centre's zone: a moment when callbacks
    may be offered and an 8-hour deadline falls before closing, so the scenario measures the
    same work whatever the machine's clock says (at night nothing would be distributed)."""
    from datetime import datetime

    from django.utils import timezone

    from callbacks import conf

    hours = conf.calling_hours()
    today = timezone.now().astimezone(hours.zone).date()
    return datetime.combine(today, hours.opens, tzinfo=hours.zone) + timedelta(hours=2)


def run(context):
    from benchmarks.dataset import copy_callbacks, put_on_duty, reset_callbacks
    from callbacks import policy
    from callbacks.models import CallbackRequest
    from outages import services as outage_services
    from outages.models import Outage, ServiceArea
    from workload import services as distribution

    count = max(1, int(CALLBACKS * context.options.scale))
    agents = context.people.agents[:AGENTS]
    cap = math.ceil(count / len(agents))
    now = calling_moment()
    reset_callbacks()
    Outage.objects.filter(title=TITLE).delete()
    outage = outage_services.outage_declare(
        actor=context.people.supervisor,
        now=now - timedelta(hours=3),
        started_at=now - timedelta(hours=3),
        title=TITLE,
        areas=[ServiceArea.objects.order_by("id").first()],
        cause="Benchmark",
        etr=now + timedelta(hours=1),
    )
    context.log(f"  release: {count:,} waiting callbacks, {len(agents)} agents (cap {cap})")
    copy_callbacks(
        outage=outage,
        count=count,
        status=policy.WAITING,
        now=now,
        created_by=context.people.agents[0],
    )
    put_on_duty(agents, now=now, cap=cap)

    steps = {}
    now += timedelta(minutes=1)  # restored a minute after the last filing
    released = assigned = 0
    timed_out = None
    _statement_timeout(STEP_TIMEOUT_SECONDS)
    began = time.perf_counter()
    try:
        _step(
            "restore",
            steps,
            lambda: outage_services.outage_restore(
                actor=context.people.supervisor, now=now, outage=outage
            ),
        )
        released, assigned = _step(
            "release_and_distribute",
            steps,
            lambda: distribution.queue_release_and_distribute(outage_id=outage.pk, now=now),
        )
    except StepTimedOut as stopped:
        timed_out = str(stopped)
        context.log(f"  release: step {timed_out} stopped after {STEP_TIMEOUT_SECONDS} s")
    seconds = time.perf_counter() - began
    _statement_timeout(0)
    mine = CallbackRequest.objects.filter(outage=outage)
    waiting = mine.filter(status=policy.WAITING).count()
    unassigned = mine.filter(assigned_to__isnull=True).count()
    agents_used = mine.exclude(assigned_to=None).values("assigned_to").distinct().count()
    written = _events_written(outage)
    _purge_broker()
    floor = None
    if not timed_out:
        # The same callbacks again, from waiting, for the floor (the table as the product found it).
        reset_callbacks()
        copy_callbacks(
            outage=outage,
            count=count,
            status=policy.WAITING,
            now=now,
            created_by=context.people.agents[0],
        )
        put_on_duty(agents, now=now, cap=cap)
        floor = _floor(outage=outage, agents=agents, now=now, events=written)
    ratio = round(seconds / floor["seconds"], 2) if floor and not timed_out else None
    return {
        "seconds": None if timed_out else round(seconds, 3),
        "stopped_step": timed_out,
        "stopped_after_s": round(seconds, 1) if timed_out else None,
        "statements": sum(step["statements"] for step in steps.values()),
        "steps": steps,
        "released": released,
        "assigned": assigned,
        "left_waiting": waiting,
        "left_unassigned": unassigned,
        "agents_given_work": agents_used,
        "events_written": written,
        "floor": floor,
        "ratio_to_floor": ratio,
        "target": f"seconds < {TARGET_SECONDS} and ratio_to_floor <= {TARGET_RATIO}",
        "met": bool(
            not timed_out
            and seconds < TARGET_SECONDS
            and ratio is not None
            and ratio <= TARGET_RATIO
            and released == count
            and assigned == count
        ),
        "parameters": {
            "callbacks": count,
            "agents": len(agents),
            "agent_cap": cap,
            "strategy": distribution.automatic_settings()[0],
            "how": "in-process service calls (restore, then the release with its distribution)",
        },
    }


def _events_written(outage):
    """The timeline rows the product wrote per kind (from, to, reason), with their count."""
    from django.db.models import Count

    from callbacks.models import CallbackEvent

    rows = (
        CallbackEvent.objects.filter(callback__outage=outage)
        .values("from_status", "to_status")
        .annotate(n=Count("id"))
        .order_by("from_status", "to_status")
    )
    return [[row["from_status"], row["to_status"], row["n"]] for row in rows]


def _floor(*, outage, agents, now, events):
    """The bare statements that produce the same end state, in one transaction: one UPDATE of
    every waiting callback straight to assigned (deadline 8 h after restoration, agents in
    turn, each up to the same cap) and one INSERT ... SELECT per kind of timeline row the
    product wrote (as many rows of each kind). No checks, no plan, no events
    to announce: what PostgreSQL needs to write those rows."""
    from django.db import transaction

    from callbacks import conf, policy
    from callbacks.models import CallbackEvent, CallbackRequest

    cb, ev = CallbackRequest._meta.db_table, CallbackEvent._meta.db_table
    outage.refresh_from_db()
    target = conf.rules().target
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {cb} SET status = %s,
                           due_at = GREATEST(%s, {cb}.created_at) + %s,
                           released_at = %s, assigned_at = %s, updated_at = %s,
                           assigned_to_id = (%s::bigint[])[1 + (t.rn - 1) %% %s]
                      FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS rn
                              FROM {cb} WHERE outage_id = %s AND status = %s) t
                     WHERE {cb}.id = t.id""",
                [
                    policy.ASSIGNED,
                    outage.restored_at,
                    target,
                    now,
                    now,
                    now,
                    [agent.pk for agent in agents],
                    len(agents),
                    outage.pk,
                    policy.WAITING,
                ],
            )
            for from_status, to_status, rows in events:
                cursor.execute(
                    f"""INSERT INTO {ev} (callback_id, at, actor_id, from_status, to_status, reason)
                        SELECT id, %s, NULL, %s, %s, 'floor' FROM {cb} WHERE outage_id = %s
                         LIMIT %s""",
                    [now, from_status, to_status, outage.pk, rows],
                )
        took = time.perf_counter() - began
    return {
        "seconds": round(took, 3),
        "statements": len(captured),
        "how": "one UPDATE of the waiting callbacks straight to assigned and one INSERT ... "
        "SELECT per kind of timeline row the product wrote, in one transaction, on the same "
        "callbacks copied afresh",
    }


def _purge_broker():
    """The restoration and release enqueue wake-ups no worker reads here: drop them."""
    from console.celery import app

    try:
        with app.connection_for_write() as conn:
            for queue in app.conf.task_queues:
                conn.default_channel.queue_purge(queue.name)
    except Exception:  # noqa: BLE001 - best effort: an unread queue harms nothing
        pass
