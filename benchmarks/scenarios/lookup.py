"""The live-call lookup by account number, phone and address, beside the floor.

Each request is what the search box sends: ``GET /?q=...`` with ``HX-Request: true`` (the
result partial), on a logged-in agent's session. The floor is ``/bench/floor/?id=...`` on the
same server in the same run: same middleware, one primary-key query, a one-line template.
Half the callers live in an area under an active outage (the calls an outage brings)."""

import random
from urllib.parse import urlencode

import phonenumbers

NEEDS_SERVER = True
CONCURRENCY = (1, 8, 32)
KINDS = ("account", "phone", "address")
SAMPLE = 400
TARGET_RATIO = 2.0
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1/"}


def sample_customers(seed, count=SAMPLE):
    """Customers to look up: half in areas under an active outage, half anywhere."""
    from outages.models import Customer, Outage

    rng = random.Random(f"lookup-{seed}")
    affected_areas = list(
        Outage.areas.through.objects.filter(outage__in=Outage.objects.active())
        .values_list("servicearea_id", flat=True)
        .distinct()
    )
    affected = list(
        Customer.objects.filter(
            area_id__in=rng.sample(affected_areas, min(200, len(affected_areas)))
        )
        .order_by("id")
        .values_list("id", flat=True)[: count * 4]
    )
    chosen = rng.sample(affected, min(count // 2, len(affected)))
    bounds = Customer.objects.order_by("id").values_list("id", flat=True)
    low, high = bounds.first(), bounds.last()
    chosen += [rng.randint(low, high) for _ in range(count - len(chosen))]
    customers = list(Customer.objects.filter(id__in=chosen))
    rng.shuffle(customers)
    return customers


def query_for(kind, customer):
    if kind == "account":
        return customer.account_number
    if kind == "phone":  # as the caller reads it out: national format
        number = phonenumbers.parse(customer.phone, None)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return customer.address


def requests_for(kind, customers):
    if kind == "floor":
        return [{"method": "GET", "path": f"/bench/floor/?id={c.pk}"} for c in customers]
    return [
        {"method": "GET", "path": "/?" + urlencode({"q": query_for(kind, c)}), "headers": HTMX}
        for c in customers
    ]


def interleaved(customers):
    """Floor, account, phone and address requests in turn: each client cycles through them, so
    every kind is measured at the same moments (a busy machine slows them alike)."""
    lists = [
        [dict(item, tag=kind) for item in requests_for(kind, customers)]
        for kind in ("floor", *KINDS)
    ]
    return [item for group in zip(*lists, strict=True) for item in group]


def profile(customers, agent):
    """One lookup of each kind in this process: its statements and the slowest of them,
    with PostgreSQL's plan for it (what to fix when the ratio is missed)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(agent)
    found = {}
    customer = customers[0]
    for kind in KINDS:
        query = query_for(kind, customer)
        client.get("/", {"q": query}, headers=HTMX)  # warm
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/", {"q": query}, headers=HTMX)
        timed = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
        slowest = timed[0]["sql"] if timed else ""
        plan = []
        if slowest:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + slowest)
                plan = [row[0] for row in cursor.fetchall()]
        found[kind] = {
            "status": response.status_code,
            "statements": len(captured),
            "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 2),
            "slowest_ms": round(float(timed[0]["time"]) * 1000, 2) if timed else None,
            "slowest_sql": slowest[:600],
            "slowest_plan": plan[:12],
        }
    return found


def run(context):
    customers = sample_customers(context.sizes.seed)
    agents = context.people.agents[: max(CONCURRENCY)]
    from benchmarks.dataset import session_cookies

    cookies = session_cookies(agents)
    runs = {}
    for concurrency in CONCURRENCY:
        for kind in ("floor", *KINDS):
            context.log(f"  lookup {kind} x{concurrency}")
            figures = context.drive(
                f"lookup-{kind}-{concurrency}",
                concurrency=concurrency,
                cookies=cookies,
                requests=requests_for(kind, customers),
                warmup=1.0,
            )
            runs.setdefault(str(concurrency), {})[kind] = figures
    paired = {}
    for concurrency in CONCURRENCY:
        context.log(f"  lookup floor and lookups interleaved x{concurrency}")
        mixed = context.drive(
            f"lookup-interleaved-{concurrency}",
            concurrency=concurrency,
            cookies=cookies,
            requests=interleaved(customers),
            warmup=1.0,
        )
        by_tag = mixed.pop("by_tag", {})
        floor = (by_tag.get("floor") or {}).get("p50_ms")
        for kind in KINDS:
            figures = by_tag.get(kind) or {}
            p50 = figures.get("p50_ms")
            figures["ratio_p50"] = round(p50 / floor, 2) if p50 and floor else None
        paired[str(concurrency)] = {"all": mixed, **by_tag}
    for by_kind in runs.values():
        floor = by_kind["floor"]["p50_ms"]
        for kind in KINDS:
            p50 = by_kind[kind]["p50_ms"]
            by_kind[kind]["ratio_p50"] = round(p50 / floor, 2) if p50 and floor else None
    single = paired[str(CONCURRENCY[0])]
    ratios = {kind: (single.get(kind) or {}).get("ratio_p50") for kind in KINDS}
    worst = max(ratios, key=lambda kind: ratios[kind] or float("inf"))
    every_run = [f for by_kind in runs.values() for f in by_kind.values()]
    every_run += [by_tag["all"] for by_tag in paired.values()]
    errors = sum(
        figures["errors"] + sum(n for s, n in figures["statuses"].items() if s != "200")
        for figures in every_run
    )
    return {
        "ratio_p50": ratios[worst],
        "ratio_p50_by_kind": ratios,
        "ratio_p50_is": (
            f"the worst kind ({worst}) at 1 client: its p50 / the floor's p50, both measured "
            "in one run with floor and lookup requests interleaved"
        ),
        "ratio_p50_by_clients": {
            clients: {kind: (by_tag.get(kind) or {}).get("ratio_p50") for kind in KINDS}
            for clients, by_tag in paired.items()
        },
        "floor_p50_ms": (single.get("floor") or {}).get("p50_ms"),
        "interleaved_runs": paired,
        "target": f"ratio_p50 < {TARGET_RATIO}",
        "met": bool(ratios[worst] and ratios[worst] < TARGET_RATIO),
        "failed_requests": errors,
        "runs": runs,
        "profile": profile(customers, agents[0]),
        "parameters": {
            "concurrency": list(CONCURRENCY),
            "duration_s": context.options.duration,
            "sampled_customers": len(customers),
            "request": "GET /?q=... with HX-Request (the result partial), agent session",
        },
    }
