"""Restoring one outage with 100,000 waiting callbacks until all are queued and distributed to
300 agents on duty, in this process: ``outage_restore`` (the supervisor's action), then
``callbacks_release_for_outage`` and ``queue_distribute_auto`` (what the workers run on the
restoration event), timed apart and together, statements counted."""

import math
import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

CALLBACKS = 100_000
AGENTS = 300
TARGET_SECONDS = 3.0
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


def run(context):
    from django.utils import timezone

    from benchmarks.dataset import copy_callbacks, put_on_duty, reset_callbacks
    from callbacks import policy
    from callbacks.models import CallbackRequest
    from callbacks.services import callbacks_release_for_outage
    from outages import services as outage_services
    from outages.models import Outage, ServiceArea
    from workload import services as distribution

    count = max(1, int(CALLBACKS * context.options.scale))
    agents = context.people.agents[:AGENTS]
    cap = math.ceil(count / len(agents))
    now = timezone.now()
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
    now = timezone.now()
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
        released = _step(
            "release", steps, lambda: callbacks_release_for_outage(outage_id=outage.pk, now=now)
        )
        assigned = _step("distribute", steps, lambda: distribution.queue_distribute_auto(now=now))
    except StepTimedOut as stopped:
        timed_out = str(stopped)
        context.log(f"  release: step {timed_out} stopped after {STEP_TIMEOUT_SECONDS} s")
    seconds = time.perf_counter() - began
    _statement_timeout(0)
    after_analyze = None
    if timed_out == "distribute":
        # What fresh planner statistics change: the same distribution once ANALYZE has seen
        # the released rows (autovacuum would, some time after the release).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {CallbackRequest._meta.db_table}")
        _statement_timeout(STEP_TIMEOUT_SECONDS)
        try:
            assigned = _step(
                "distribute_after_analyze",
                steps,
                lambda: distribution.queue_distribute_auto(now=now),
            )
            after_analyze = round(
                steps["restore"]["seconds"]
                + steps["release"]["seconds"]
                + steps["distribute_after_analyze"]["seconds"],
                3,
            )
        except StepTimedOut:
            pass
        _statement_timeout(0)

    mine = CallbackRequest.objects.filter(outage=outage)
    waiting = mine.filter(status=policy.WAITING).count()
    unassigned = mine.filter(assigned_to__isnull=True).count()
    agents_used = mine.exclude(assigned_to=None).values("assigned_to").distinct().count()
    _purge_broker()
    return {
        "seconds": None if timed_out else round(seconds, 3),
        "stopped_step": timed_out,
        "stopped_after_s": round(seconds, 1) if timed_out else None,
        "seconds_with_fresh_statistics": after_analyze,
        "statements": sum(step["statements"] for step in steps.values()),
        "steps": steps,
        "released": released,
        "assigned": assigned,
        "left_waiting": waiting,
        "left_unassigned": unassigned,
        "agents_given_work": agents_used,
        "target": f"seconds < {TARGET_SECONDS}",
        "met": not timed_out
        and seconds < TARGET_SECONDS
        and released == count
        and assigned == count,
        "parameters": {
            "callbacks": count,
            "agents": len(agents),
            "agent_cap": cap,
            "strategy": distribution.automatic_settings()[0],
            "how": "in-process service calls (restore, release, automatic distribution)",
        },
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
