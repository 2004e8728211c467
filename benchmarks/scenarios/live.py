"""Live updates at scale: 2,000 open live-call screens, an outage's ETR changes, how long until
every screen of its areas has the new ETR; and what the open screens cost the lookup.

The screens are server-sent event streams (``/call/live/events/``) on the events process
(uvicorn, ``console.asgi``, started here beside the scenario's gunicorn), opened by a separate
load process (``benchmarks.live_screens``), spread over areas so that ``AFFECTED_SHARE`` of
them show the outage that changes and the rest show other areas. The ETR is changed through
the product's service (``outage_post_update``) ``CHANGES`` times; each change is timed from
just before the service call to each affected screen's receipt of the event carrying the new
ETR (same machine, same clock).

The lookup ratio (the worst kind's p50 over the floor's p50, 1 client, floor and lookups
interleaved, as ``lookup`` measures it) is measured with no screen open, then with the 2,000
open (``LOOKUP_ROUNDS`` times), then again with none once they are closed, so that a machine
getting busier or quieter shows in both; the medians are compared. The events process's CPU
time while the screens are open and idle is reported too."""

import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta

from benchmarks.environment import BASE_DIR, DATA_DIR, server_environment
from benchmarks.server import free_port

from . import lookup

NEEDS_SERVER = True
SCREENS = 2_000
AFFECTED_SHARE = 0.25
CHANGES = 5
TARGET_P99_MS = 2_000
TARGET_LOOKUP_WORSE = 0.10
LOOKUP_ROUNDS = 3
STARTUP_SECONDS = 30
WAIT_SECONDS = 10


def _percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def _cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def choose_screens(seed, count=SCREENS, share=AFFECTED_SHARE):
    """The outage that will change, and ``count`` screens: ``share`` of them on its areas,
    the rest on areas it does not cover."""
    from outages.models import Outage, ServiceArea

    rng = random.Random(f"live-{seed}")
    outage = (
        Outage.objects.active()
        .filter(all_areas=False, areas__isnull=False)
        .order_by("id")
        .distinct()
        .first()
    )
    covered = sorted(outage.areas.values_list("id", flat=True))
    others = list(
        ServiceArea.objects.exclude(id__in=covered)
        .order_by("id")
        .values_list("id", flat=True)[:5000]
    )
    affected = round(count * share)
    screens = [{"area": covered[i % len(covered)], "affected": True} for i in range(affected)]
    screens += [{"area": rng.choice(others), "affected": False} for _ in range(count - affected)]
    rng.shuffle(screens)
    return outage, screens


class EventsProcess:
    """uvicorn serving ``console.asgi`` on a free port, as ``docker/entrypoint.sh events``
    (``workers`` processes on the one port, as several events containers behind the proxy)."""

    def __init__(self, *, workers=1):
        self.port = free_port()
        self.log = open(DATA_DIR / "uvicorn.log", "ab")  # noqa: SIM115 - closed in stop()
        self.command = [
            sys.executable,
            "-m",
            "uvicorn",
            "console.asgi:application",
            "--port",
            str(self.port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--backlog",
            "4096",
            "--log-level",
            "warning",
            *(["--workers", str(workers)] if workers > 1 else []),
        ]
        self.process = subprocess.Popen(
            self.command, cwd=BASE_DIR, env=server_environment(), stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        "uvicorn did not start; see benchmarks/data/uvicorn.log"
                    ) from None
                time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Screens:
    """The load process holding the open screens."""

    def __init__(self, *, port, cookies, screens):
        path = DATA_DIR / "live-screens.json"
        path.write_text(json.dumps({"port": port, "cookies": cookies, "screens": screens}))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.live_screens", str(path)],
            cwd=BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.opened = json.loads(self.process.stdout.readline())

    def wait(self, etr, t0):
        self.process.stdin.write(f"wait {etr} {t0} {WAIT_SECONDS}\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        try:
            self.process.stdin.write("exit\n")
            self.process.stdin.flush()
            self.process.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


def _lookup_ratio(context, cookies, customers, name):
    figures = context.drive(
        name,
        concurrency=1,
        cookies=cookies[:1],
        requests=lookup.interleaved(customers),
        warmup=1.0,
    )
    by_tag = figures.get("by_tag", {})
    floor = (by_tag.get("floor") or {}).get("p50_ms")
    ratios = {}
    for kind in lookup.KINDS:
        p50 = (by_tag.get(kind) or {}).get("p50_ms")
        ratios[kind] = round(p50 / floor, 3) if p50 and floor else None
    worst = max(ratios.values(), key=lambda r: r or float("inf"))
    return {"worst": worst, "by_kind": ratios, "floor_p50_ms": floor}


def _change_etr(outage, supervisor, hours):
    from django.utils import timezone

    from outages import services as outage_services

    now = timezone.now()
    etr = (now + timedelta(hours=hours)).replace(microsecond=0)
    t0 = time.time()
    outage_services.outage_post_update(
        actor=supervisor, now=now, outage=outage, etr=etr, message="Benchmark: ETR moved."
    )
    return etr.isoformat(), t0


def run(context):
    from benchmarks.dataset import session_cookies

    outage, screens = choose_screens(context.sizes.seed)
    customers = lookup.sample_customers(context.sizes.seed)
    cookies = session_cookies(context.people.agents[:32])
    events = EventsProcess()
    try:
        context.log("  live: lookup ratio with no screen open")
        without = [_lookup_ratio(context, cookies, customers, "live-lookup-idle-0")]
        context.log(f"  live: opening {len(screens)} screens")
        held = Screens(port=events.port, cookies=cookies, screens=screens)
        try:
            with_screens = []
            cpu_before, wall_before = _cpu_seconds(events.process.pid), time.monotonic()
            for round_ in range(LOOKUP_ROUNDS):
                context.log(f"  live: lookup ratio with the screens open ({round_ + 1})")
                with_screens.append(
                    _lookup_ratio(context, cookies, customers, f"live-lookup-open-{round_}")
                )
            idle_cpu = _cpu_seconds(events.process.pid) - cpu_before
            idle_wall = time.monotonic() - wall_before
            changes = []
            for i in range(CHANGES):
                context.log(f"  live: ETR change {i + 1} of {CHANGES}")
                etr, t0 = _change_etr(outage, context.people.supervisor, hours=2 + i)
                changes.append(held.wait(etr, t0))
                time.sleep(1.0)
        finally:
            held.close()
        for round_ in range(1, LOOKUP_ROUNDS):
            context.log(f"  live: lookup ratio with no screen open ({round_ + 1})")
            without.append(_lookup_ratio(context, cookies, customers, f"live-lookup-idle-{round_}"))
    finally:
        events.stop()

    latencies_ms = [x * 1000 for change in changes for x in change["latencies_s"]]
    expected = sum(change["expected"] for change in changes)
    received = sum(change["received"] for change in changes)
    missed = sum(change["missed"] for change in changes)
    unexpected = sum(change["unexpected"] for change in changes)
    p99 = _percentile(latencies_ms, 0.99)
    ratio_without = statistics.median(r["worst"] for r in without)
    ratio_with = statistics.median(r["worst"] for r in with_screens)
    worse = ratio_with / ratio_without - 1 if ratio_without else None
    latency_met = p99 is not None and p99 < TARGET_P99_MS and missed == 0 and received == expected
    lookup_met = worse is not None and worse <= TARGET_LOOKUP_WORSE
    return {
        "figure": round(p99, 1) if p99 is not None else None,
        "p99_ms": round(p99, 1) if p99 is not None else None,
        "p50_ms": round(_percentile(latencies_ms, 0.5), 1) if latencies_ms else None,
        "max_ms": round(max(latencies_ms), 1) if latencies_ms else None,
        "expected": expected,
        "received": received,
        "missed": missed,
        "unexpected": unexpected,
        "per_change": [
            {
                "expected": c["expected"],
                "received": c["received"],
                "p50_ms": round(_percentile(c["latencies_s"], 0.5) * 1000, 1)
                if c["latencies_s"]
                else None,
                "max_ms": round(max(c["latencies_s"]) * 1000, 1) if c["latencies_s"] else None,
            }
            for c in changes
        ],
        "screens_opened": held.opened,
        "lookup_ratio_without_screens": ratio_without,
        "lookup_ratio_with_screens": ratio_with,
        "lookup_ratio_worse": round(worse, 3) if worse is not None else None,
        "lookup_runs": {"without": without, "with": with_screens},
        "events_process_idle_cpu_share": round(idle_cpu / idle_wall, 4) if idle_wall else None,
        "target": (
            f"every affected screen has the new ETR within {TARGET_P99_MS} ms (p99), none "
            f"missed; lookup ratio at 1 client at most {TARGET_LOOKUP_WORSE:.0%} worse with the "
            "screens open"
        ),
        "met": bool(latency_met and lookup_met),
        "met_latency": bool(latency_met),
        "met_lookup": bool(lookup_met),
        "parameters": {
            "screens": len(screens),
            "affected_share": AFFECTED_SHARE,
            "changes": CHANGES,
            "outage_areas": len({s["area"] for s in screens if s["affected"]}),
            "events_process": " ".join(events.command[2:]),
            "duration_s": context.options.duration,
        },
    }
