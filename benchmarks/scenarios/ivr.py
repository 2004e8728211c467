"""The IVR asking for callers' status at an outage's start, beside the floor.

Each request is what the IVR sends when a call comes in: ``GET /api/v1/ivr/status?ani=...``
with an API key (scope ``ivr``), for callers who live in areas under an active outage (the
storm an outage brings). Production's load balancer sends that path to the events process
(uvicorn, ``console.asgi``, which answers it without a Django request: ``api.ivr_asgi``) and
everything else to gunicorn; so does this scenario, starting as many events processes as
gunicorn has workers (``BENCH_EVENTS_WORKERS``) beside the scenario's gunicorn. First the IVR's
requests alone at 64 clients: the answers per second, and where the CPU went per request (the
events processes, PostgreSQL, the load generator, other work). Then the floor,
``/bench/floor/?id=...`` on gunicorn, interleaved with the IVR's requests in one run at 64
clients (each client keeps a connection to each server, as behind the load balancer), once the
events processes are warm as long-running ones are. Then the floor alone, the same way: what
gunicorn and this load generator reach for the cheapest page. Each run records the load
generator's own CPU (it shares the cores with the servers, and one Python process with a thread
per client uses at most one core)."""

import os
import random
import time
from urllib.parse import urlencode

from ..server import gunicorn_config

NEEDS_SERVER = True
CLIENTS = 64
SAMPLE = 2000
TARGET_RATIO = 2.0
TARGET_PER_SECOND = 1000
# Events processes answering the IVR: as many as gunicorn's workers (two per core). When both
# serve at once, the kernel shares the cores between processes: with fewer events processes
# the IVR's requests queue behind one event loop's slice of a core while gunicorn's workers
# take the rest, and the interleaved p50s compare process counts, not the work per request
# (2 events processes beside 4 workers: IVR p50 2.4x the floor's; 4 beside 4: 0.17x).
EVENTS_WORKERS = int(os.environ.get("BENCH_EVENTS_WORKERS", gunicorn_config()["workers"]))


def sample_callers(seed, count=SAMPLE):
    """Customers of areas under an active outage, as the calls of a storm come in."""
    from outages.models import Customer, Outage

    rng = random.Random(f"ivr-{seed}")
    areas = list(
        Outage.areas.through.objects.filter(outage__in=Outage.objects.active())
        .values_list("servicearea_id", flat=True)
        .distinct()
    )
    callers = list(
        Customer.objects.filter(area_id__in=rng.sample(areas, min(100, len(areas))))
        .order_by("id")
        .only("id", "phone")[: count * 3]
    )
    return rng.sample(callers, min(count, len(callers)))


def api_key():
    """A key for the benchmark's IVR (made once; the key is kept in the data folder)."""
    from django.utils import timezone

    from api import services
    from api.models import ApiKey

    from ..environment import DATA_DIR

    stored = DATA_DIR / "ivr-api-key.txt"
    if stored.exists():
        key = stored.read_text().strip()
        if services.api_key_authenticate(key=key, now=timezone.now()) is not None:
            return key
    ApiKey.objects.filter(name="Benchmark IVR").delete()
    _, key = services.api_key_create(
        actor=None, now=timezone.now(), name="Benchmark IVR", scopes=["ivr"]
    )
    stored.write_text(key)
    return key


def requests_for(kind, callers, key, *, port):
    """The requests of one kind, each sent to ``port`` (gunicorn's or the events process's)."""
    if kind == "floor":
        return [
            {"method": "GET", "path": f"/bench/floor/?id={c.pk}", "tag": "floor", "port": port}
            for c in callers
        ]
    headers = {"Authorization": f"Bearer {key}"}
    return [
        {
            "method": "GET",
            "path": "/api/v1/ivr/status?" + urlencode({"ani": c.phone}),
            "headers": headers,
            "tag": "ivr",
            "port": port,
        }
        for c in callers
    ]


def _drive_measured(context, name, **spec):
    """``context.drive`` plus what the load generator itself cost: its CPU per request sent
    (warm-up included) and its share of one core over the run."""
    began = time.monotonic()
    figures = context.drive(name, **spec)
    wall = time.monotonic() - began
    cpu, sent = figures.get("client_cpu_seconds"), figures.get("requests_sent")
    figures["load_generator"] = {
        "cpu_seconds": cpu,
        "requests_sent": sent,
        "cpu_ms_per_request": round(1000 * cpu / sent, 3) if cpu and sent else None,
        "cores_used": round(cpu / wall, 2) if cpu and wall else None,
    }
    return figures


def run(context):
    from benchmarks.dataset import session_cookies

    from .live import EventsProcess

    callers = sample_callers(context.sizes.seed)
    key = api_key()
    cookies = session_cookies(context.people.agents[:CLIENTS])
    events = EventsProcess(workers=EVENTS_WORKERS)
    try:
        return _measure(context, callers=callers, key=key, cookies=cookies, events=events)
    finally:
        events.stop()


def _ivr_alone(context, ivr, *, cookies, events):
    """The IVR's requests alone, and where the CPU went meanwhile, per request sent."""
    from benchmarks import cpu

    meter = cpu.Meter(
        {"events_process": lambda: cpu.tree(events.process.pid), "database": cpu.database_backends}
    ).start()
    alone = _drive_measured(
        context,
        f"ivr-alone-{CLIENTS}",
        concurrency=CLIENTS,
        cookies=cookies,
        requests=ivr,
        warmup=1.0,
        ports=[events.port],
    )
    alone.pop("by_tag", None)
    spent = meter.stop(extra={"load_generator": alone.get("client_cpu_seconds") or 0})
    sent = alone.get("requests_sent")
    for part in ("events_process", "database", "load_generator", "other"):
        seconds = spent.get(f"{part}_cpu_seconds")
        spent[f"{part}_cpu_ms_per_request"] = (
            round(1000 * seconds / sent, 3) if seconds is not None and sent else None
        )
    alone["cpu"] = spent
    return alone


def _measure(context, *, callers, key, cookies, events):
    web = context.server.port
    floor = requests_for("floor", callers, key, port=web)
    ivr = requests_for("ivr", callers, key, port=events.port)
    # The IVR alone first: the events processes are then warm (the key checked, the areas'
    # answers read), as long-running ones are, before the interleaved run measures latency.
    context.log(f"  ivr status alone x{CLIENTS}")
    alone = _ivr_alone(context, ivr, cookies=cookies, events=events)
    per_second = alone.get("per_second")
    mixed = [item for pair in zip(floor, ivr, strict=True) for item in pair]
    context.log(f"  ivr status (events process) and floor (gunicorn) interleaved x{CLIENTS}")
    paired = context.drive(
        f"ivr-interleaved-{CLIENTS}",
        concurrency=CLIENTS,
        cookies=cookies,
        requests=mixed,
        warmup=1.0,
        ports=[web, events.port],
    )
    by_tag = paired.pop("by_tag", {})
    floor_p50 = (by_tag.get("floor") or {}).get("p50_ms")
    ivr_p50 = (by_tag.get("ivr") or {}).get("p50_ms")
    ratio = round(ivr_p50 / floor_p50, 2) if ivr_p50 and floor_p50 else None
    if "ivr" in by_tag:
        by_tag["ivr"]["ratio_p50"] = ratio
    context.log(f"  floor alone x{CLIENTS}")
    floor_alone = _drive_measured(
        context,
        f"ivr-floor-alone-{CLIENTS}",
        concurrency=CLIENTS,
        cookies=cookies,
        requests=floor,
        warmup=1.0,
        ports=[web],
    )
    floor_alone.pop("by_tag", None)
    errors = sum(
        f["errors"] + sum(n for s, n in f["statuses"].items() if s != "200")
        for f in (paired, alone, floor_alone)
    )
    return {
        "figure": {"ratio_p50": ratio, "per_second": per_second},
        "floor": {
            "p50_ms": floor_p50,
            "per_second_alone": floor_alone.get("per_second"),
            "is": "the floor view interleaved with the IVR (p50), and alone at the same "
            "concurrency (per second)",
        },
        "ratio_p50": ratio,
        "per_second": per_second,
        "ratio_p50_is": f"IVR status p50 (events process) / floor p50 (gunicorn), interleaved in "
        f"one run at {CLIENTS} clients",
        "interleaved_runs": {str(CLIENTS): {"all": paired, **by_tag}},
        "alone": alone,
        "floor_alone": floor_alone,
        "target": f"ratio_p50 < {TARGET_RATIO} and per_second >= {TARGET_PER_SECOND}",
        "met": bool(
            ratio and ratio < TARGET_RATIO and per_second and per_second >= TARGET_PER_SECOND
        ),
        "failed_requests": errors,
        "parameters": {
            "clients": CLIENTS,
            "duration_s": context.options.duration,
            "sampled_callers": len(callers),
            "request": "GET /api/v1/ivr/status?ani=... with an API key (scope ivr)",
            "ivr_server": "the events process: " + " ".join(events.command[2:]),
        },
    }
