"""Scale-out, measured on one machine as a simulation of several: separate gunicorn servers
on their own ports (each with the whole per-server config of the other scenarios), the load
generator spreading requests across them, and three Celery workers on separate queues
(callbacks, workload, notifications), all on one PostgreSQL and one Redis.

- **Filing** through the real form (``POST /call/callback/``) with one web server, then two.
- **Claim** through the real button (``POST /workload/mine/claim/``, 32 agents) with one web
  server, then two.
- **Release and distribution carried by the workers**: a supervisor restores an outage with
  100,000 waiting callbacks through the outage page's form (on one server, with the CSRF token
  the other issued); the time until every callback is released and distributed to 300 agents.

With two servers each client sends its requests to them in turn (``spread: request``): every
session and CSRF token one process issued is used on the other. Each run also says where the
CPU went (``benchmarks/cpu.py``): on 2 cores, two processes cannot double throughput; what the
figures show is that the product runs unchanged across processes and what bounds it."""

import math
import time
from datetime import timedelta

FILING_CLIENTS = 16
CLAIM_AGENTS = 32
CLAIM_CALLBACKS = 10_000
RELEASE_CALLBACKS = 100_000
RELEASE_AGENTS = 300
WEB_SERVERS = (1, 2)
RELEASE_TIMEOUT_SECONDS = 300
POLL_SECONDS = 0.05
CLAIM_TITLE = "Scale-out claim benchmark"
RELEASE_TITLE = "Scale-out release benchmark"


def _meter(servers, workers=()):
    from benchmarks import cpu

    groups = {
        "web": lambda: set().union(*(cpu.tree(s.process.pid) for s in servers)),
        "database": cpu.database_backends,
    }
    if workers:
        groups["workers"] = lambda: set().union(*(cpu.tree(w.process.pid) for w in workers))
    return cpu.Meter(groups)


def _drive(context, name, servers, **spec):
    """The load generator against ``servers`` with the CPU of each part counted."""
    meter = _meter(servers).start()
    figures = context.drive(name, ports=[s.port for s in servers], spread="request", **spec)
    figures["cpu"] = meter.stop(extra={"load_generator": figures.get("client_cpu_seconds", 0)})
    sent = figures.get("requests_sent") or 0
    if sent:
        for part in ("web", "database"):
            seconds = figures["cpu"].get(f"{part}_cpu_seconds")
            figures["cpu"][f"{part}_cpu_ms_per_request"] = round(1000 * seconds / sent, 2)
    return figures


def _failed(figures, ok):
    return figures["errors"] + sum(n for s, n in figures["statuses"].items() if s != ok)


def filing(context, cookies):
    from benchmarks.dataset import reset_callbacks
    from benchmarks.scenarios.filing import bodies
    from benchmarks.server import running_servers
    from callbacks.models import CallbackRequest

    requests = bodies(seed=context.sizes.seed)
    runs = {}
    for count in WEB_SERVERS:
        reset_callbacks()
        context.log(f"  scaleout: filing, {count} web server(s), {FILING_CLIENTS} clients")
        with running_servers(count) as servers:
            figures = _drive(
                context,
                f"scaleout-filing-{count}",
                servers,
                concurrency=FILING_CLIENTS,
                cookies=cookies[:FILING_CLIENTS],
                csrf_path="/",
                requests=requests,
                max_requests=len(requests) - 1,
                warmup=1.0,
            )
        figures["failed_requests"] = _failed(figures, "200")
        figures["callbacks_created"] = CallbackRequest.objects.count()
        runs[str(count)] = figures
    reset_callbacks()
    return runs


def _queue_for_claims(context, count, agents, cap):
    from django.utils import timezone

    from benchmarks.dataset import copy_callbacks, put_on_duty, reset_callbacks
    from callbacks import policy
    from outages import services as outage_services
    from outages.models import Outage, ServiceArea

    now = timezone.now()
    reset_callbacks()
    Outage.objects.filter(title=CLAIM_TITLE).delete()
    outage = outage_services.outage_declare(
        actor=context.people.supervisor,
        now=now - timedelta(hours=3),
        started_at=now - timedelta(hours=3),
        title=CLAIM_TITLE,
        areas=[ServiceArea.objects.order_by("id").last()],
    )
    outage_services.outage_restore(
        actor=context.people.supervisor, now=now - timedelta(hours=1), outage=outage
    )
    restored = now - timedelta(hours=1)
    copy_callbacks(
        outage=outage,
        count=count,
        status=policy.QUEUED,
        now=restored,
        created_by=agents[0],
        due_at=lambda index: restored + timedelta(hours=8, seconds=index % 3600),
    )
    put_on_duty(agents, now=now, cap=cap)
    return outage


def _claims_in_database(outage, cap):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(DISTINCT e.callback_id) FROM callbacks_callbackevent e "
            "JOIN callbacks_callbackrequest c ON c.id = e.callback_id "
            "WHERE c.outage_id = %s AND e.to_status = 'assigned'",
            [outage.pk],
        )
        events, callbacks = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), coalesce(max(n), 0), count(*) FILTER (WHERE n > %s) FROM "
            "(SELECT assigned_to_id, count(*) AS n FROM callbacks_callbackrequest "
            " WHERE outage_id = %s AND assigned_to_id IS NOT NULL GROUP BY assigned_to_id) AS held",
            [cap, outage.pk],
        )
        agents, most_held, over_cap = cursor.fetchone()
    return {
        "claimed": callbacks,
        # One callback handed out by more than one claim (must be 0).
        "duplicates": events - callbacks,
        "agents_holding": agents,
        "most_held_by_one_agent": most_held,
        "agents_over_cap": over_cap,
    }


def claim(context, cookies):
    from benchmarks.dataset import reset_callbacks
    from benchmarks.server import running_servers

    count = max(1, int(CLAIM_CALLBACKS * context.options.scale))
    agents = context.people.agents[:CLAIM_AGENTS]
    # Room for twice an even share: the run measures claiming, not refusals at the cap.
    cap = 2 * math.ceil(count / len(agents))
    runs = {}
    for servers_wanted in WEB_SERVERS:
        outage = _queue_for_claims(context, count, agents, cap)
        context.log(
            f"  scaleout: claim, {servers_wanted} web server(s), {len(agents)} agents, "
            f"{count:,} queued"
        )
        with running_servers(servers_wanted) as servers:
            figures = _drive(
                context,
                f"scaleout-claim-{servers_wanted}",
                servers,
                concurrency=len(agents),
                cookies=cookies[: len(agents)],
                csrf_path="/workload/mine/",
                requests=[{"method": "POST", "path": "/workload/mine/claim/", "form": {}}],
                max_requests=count,
            )
        figures.update(_claims_in_database(outage, cap))
        figures["cap"] = cap
        figures["failed_requests"] = _failed(figures, "302")
        seconds = figures["seconds"]
        figures["claims_per_second"] = round(figures["claimed"] / seconds, 1) if seconds else None
        runs[str(servers_wanted)] = figures
    reset_callbacks()
    return runs


def _release_state(outage_id):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM callbacks_callbackrequest "
            "               WHERE outage_id = %s AND status = 'waiting'), "
            "       EXISTS (SELECT 1 FROM callbacks_callbackrequest "
            "               WHERE outage_id = %s AND assigned_to_id IS NULL)",
            [outage_id, outage_id],
        )
        return cursor.fetchone()


def _release_events(outage_id):
    """Per transition, the events and the callbacks they name: equal counts, exactly once."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.to_status, count(*), count(DISTINCT e.callback_id) "
            "FROM callbacks_callbackevent e "
            "JOIN callbacks_callbackrequest c ON c.id = e.callback_id "
            "WHERE c.outage_id = %s AND e.to_status IN ('queued', 'assigned') "
            "GROUP BY e.to_status",
            [outage_id],
        )
        found = {status: (events, callbacks) for status, events, callbacks in cursor.fetchall()}
    return {
        "release_events": found.get("queued", (0, 0))[0],
        "released_callbacks": found.get("queued", (0, 0))[1],
        "assignment_events": found.get("assigned", (0, 0))[0],
        "assigned_callbacks": found.get("assigned", (0, 0))[1],
    }


def release(context):
    from django.utils import timezone

    from benchmarks import load
    from benchmarks.dataset import copy_callbacks, put_on_duty, reset_callbacks, session_cookies
    from benchmarks.scenarios.release import _purge_broker
    from benchmarks.server import running_servers
    from benchmarks.workers import CONCURRENCY, QUEUES, running_workers
    from callbacks import policy
    from callbacks.models import DistributionRun
    from outages import services as outage_services
    from outages.models import Outage, ServiceArea

    count = max(1, int(RELEASE_CALLBACKS * context.options.scale))
    agents = context.people.agents[:RELEASE_AGENTS]
    cap = math.ceil(count / len(agents))
    now = timezone.now()
    reset_callbacks()
    Outage.objects.filter(title=RELEASE_TITLE).delete()
    outage = outage_services.outage_declare(
        actor=context.people.supervisor,
        now=now - timedelta(hours=3),
        started_at=now - timedelta(hours=3),
        title=RELEASE_TITLE,
        areas=[ServiceArea.objects.order_by("id").first()],
        cause="Benchmark",
        etr=now + timedelta(hours=1),
    )
    copy_callbacks(
        outage=outage,
        count=count,
        status=policy.WAITING,
        now=now,
        created_by=agents[0],
    )
    put_on_duty(agents, now=now, cap=cap)
    _purge_broker()  # earlier scenarios' unread wake-ups: the workers start on empty queues
    context.log(
        f"  scaleout: release, 2 web servers, 3 workers, {count:,} waiting callbacks, "
        f"{len(agents)} agents (cap {cap})"
    )
    timeline = {}
    with running_servers(2) as servers, running_workers() as workers:
        supervisor = load.Client(
            [s.port for s in servers], session_cookies([context.people.supervisor])[0], rotate=True
        )
        supervisor.fetch_csrf(f"/outages/{outage.pk}/")  # from the first server
        meter = _meter(servers, workers).start()
        began = time.perf_counter()
        status, _, _ = supervisor.request(  # to the second
            "POST", f"/outages/{outage.pk}/restore/", form={"message": "", "restored_at": ""}
        )
        timeline["restore_answered_s"] = round(time.perf_counter() - began, 3)
        deadline = began + RELEASE_TIMEOUT_SECONDS
        while time.perf_counter() < deadline:
            waiting, unassigned = _release_state(outage.pk)
            at = round(time.perf_counter() - began, 3)
            meter.sample()
            if not waiting:
                timeline.setdefault("released_s", at)
                if not unassigned:
                    timeline["distributed_s"] = at
                    break
            time.sleep(POLL_SECONDS)
        cpu = meter.stop()
    seconds = timeline.get("distributed_s")
    events = _release_events(outage.pk)
    exactly_once = (
        events["release_events"] == events["released_callbacks"] == count
        and events["assignment_events"] == events["assigned_callbacks"] == count
    )
    runs = DistributionRun.objects.filter(at__gte=now).count()
    reset_callbacks()
    _purge_broker()
    return {
        "seconds": seconds,
        "timed_out_after_s": None if seconds else RELEASE_TIMEOUT_SECONDS,
        "restore_status": status,
        "timeline": timeline,
        **events,
        "exactly_once": exactly_once,
        "distribution_runs": runs,
        "cpu": cpu,
        "parameters": {
            "callbacks": count,
            "agents": len(agents),
            "agent_cap": cap,
            "web_servers": 2,
            "workers": {queue: f"{CONCURRENCY} task processes" for queue in QUEUES},
            "how": "POST /outages/<id>/restore/ (the outage page's form) through one server with "
            "the CSRF token the other issued; polled every 50 ms until nothing is waiting or "
            "unassigned; no beat (the restoration's events carry the work)",
        },
    }


def _per_second(runs, key):
    return {count: figures.get(key) for count, figures in runs.items()}


def _two_to_one(runs, key):
    one, two = runs.get("1", {}).get(key), runs.get("2", {}).get(key)
    return round(two / one, 2) if one and two else None


def _bound(cpu):
    """What took the most CPU in a run, by name."""
    parts = {
        "the web processes": cpu.get("web_cpu_seconds") or 0,
        "PostgreSQL": cpu.get("database_cpu_seconds") or 0,
        "the load generator": cpu.get("load_generator_cpu_seconds") or 0,
        "other work on the machine": cpu.get("other_cpu_seconds") or 0,
    }
    return max(parts, key=parts.get)


def reading(result):
    """What the figures show, in words computed from them (true on any run)."""
    filing_runs, release_ = result["filing"], result["release"]
    cores = filing_runs["1"]["cpu"].get("cores")
    busy = [filing_runs[n]["cpu"].get("machine_busy_share") or 0 for n in ("1", "2")]
    one = filing_runs["1"]["cpu"]
    text = [
        f"Two web servers gave {result['filing_two_to_one']}x the filings per second of one "
        f"({result['filing_per_second']['1']} -> {result['filing_per_second']['2']}) and "
        f"{result['claim_two_to_one']}x the claims ({result['claim_per_second']['1']} -> "
        f"{result['claim_per_second']['2']}) on {cores} cores.",
        f"The machine's CPU was {busy[0]:.0%} busy while one server filed and {busy[1]:.0%} "
        f"while two did; most of it went to {_bound(one)} (per filing: web "
        f"{one.get('web_cpu_ms_per_request')} ms, PostgreSQL "
        f"{one.get('database_cpu_ms_per_request')} ms of CPU; the load generator "
        f"{one.get('load_generator_cpu_seconds')} s of the run)."
        + (
            " The cores were saturated in both runs: a second process on the same cores can "
            "only share them, so the ratio is not a measure of scale-out. What carries over to "
            "separate machines is the CPU each request costs (web "
            f"{filing_runs['2']['cpu'].get('web_cpu_ms_per_request')} ms per request with two "
            "servers, CSRF page loads included), which each added machine's cores would serve."
            if min(busy) >= 0.85
            else ""
        )
        + (
            " Most of the machine's CPU went to other work than this run's: these throughputs "
            "are far below what the machine gives when quiet."
            if (one.get("other_cpu_seconds") or 0)
            > 0.5 * (one.get("machine_busy_cpu_seconds") or 1)
            else ""
        ),
        "With two servers every client sent its requests to both in turn, so each session and "
        "CSRF token one process issued was accepted by the other: "
        f"{result['failed_requests']} requests failed. The web tier keeps nothing in process "
        "memory that another process needs (sessions in PostgreSQL, cache in Redis).",
        f"Claims through both servers at once: {result['duplicates']} callbacks given to two "
        f"agents, {result['caps_exceeded']} agents over their cap.",
    ]
    if release_.get("seconds") is not None:
        timeline = release_["timeline"]
        text.append(
            f"Restoring an outage with {release_['parameters']['callbacks']:,} waiting callbacks "
            f"through the outage page: the page answered in {timeline.get('restore_answered_s')} "
            f"s, the workload worker had released all by {timeline.get('released_s')} s and "
            f"distributed all by {release_['seconds']} s (one pass) to "
            f"{release_['parameters']['agents']} agents; each callback has "
            + (
                "exactly one release event and one assignment event."
                if release_["exactly_once"]
                else "NOT exactly one release and one assignment event (see the counts)."
            )
        )
    else:
        text.append(
            f"The release did not finish within {RELEASE_TIMEOUT_SECONDS} s "
            f"(timeline: {release_.get('timeline')})."
        )
    return " ".join(text)


def run(context):
    from benchmarks.dataset import session_cookies
    from benchmarks.server import gunicorn_config

    cookies = session_cookies(context.people.agents[:CLAIM_AGENTS])
    result = {
        "filing": filing(context, cookies),
        "claim": claim(context, cookies),
        "release": release(context),
    }
    result["filing_per_second"] = _per_second(result["filing"], "per_second")
    result["filing_two_to_one"] = _two_to_one(result["filing"], "per_second")
    result["claim_per_second"] = _per_second(result["claim"], "claims_per_second")
    result["claim_two_to_one"] = _two_to_one(result["claim"], "claims_per_second")
    result["release_seconds"] = result["release"]["seconds"]
    result["duplicates"] = sum(figures["duplicates"] for figures in result["claim"].values())
    result["caps_exceeded"] = sum(
        figures["agents_over_cap"] for figures in result["claim"].values()
    )
    result["failed_requests"] = sum(
        figures["failed_requests"]
        for runs in (result["filing"], result["claim"])
        for figures in runs.values()
    )
    result["compares"] = (
        "filing (POST /call/callback/, 16 clients) and claim (POST /workload/mine/claim/, 32 "
        "agents) per second with one gunicorn server against two (each "
        "{workers} workers x {threads} threads, the other scenarios' per-server config), "
        "requests alternating between the servers; and the time from the supervisor's restore "
        "to every callback released and distributed with two web servers and one Celery worker "
        "per queue (callbacks, workload, notifications)"
    ).format(**gunicorn_config())
    result["reading"] = reading(result)
    result["target"] = (
        "correct across processes: 0 failed requests, 0 duplicate claims, 0 agents over cap, "
        "each callback released and distributed exactly once (no throughput target: on one "
        "2-core machine a second process shares the same cores)"
    )
    result["met"] = bool(
        result["failed_requests"] == 0
        and result["duplicates"] == 0
        and result["caps_exceeded"] == 0
        and result["release"]["exactly_once"]
        and result["release_seconds"] is not None
    )
    result["parameters"] = {
        "server": gunicorn_config(),
        "web_servers": list(WEB_SERVERS),
        "filing_clients": FILING_CLIENTS,
        "claim_agents": CLAIM_AGENTS,
        "claim_callbacks": result["claim"]["1"]["cap"]
        and max(1, int(CLAIM_CALLBACKS * context.options.scale)),
        "release_callbacks": result["release"]["parameters"]["callbacks"],
        "spread": "each client's requests alternate between the servers",
    }
    return result
