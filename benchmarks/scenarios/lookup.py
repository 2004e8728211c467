"""The live-call lookup by account number, phone and address, beside the floor.

Each request is what the search box sends: ``GET /?q=...`` with ``HX-Request: true`` (the
result partial), on a logged-in agent's session. The floor is ``/bench/floor/?id=...`` on the
same server in the same run: same middleware, one primary-key query, a one-line template.
Half the callers live in an area under an active outage (the calls an outage brings).

An address lookup is also measured against the floor plus its own bare trigram query
(``/bench/floor/search/?id=...&q=...``: the SQL the product runs for that address, executed
directly), interleaved in the same run, so its ratio shows the product's overhead on top of
PostgreSQL's search."""

import random
from urllib.parse import urlencode

import phonenumbers

NEEDS_SERVER = True
CONCURRENCY = (1, 8, 32)
KINDS = ("account", "phone", "address")
SAMPLE = 400
TARGET_RATIO = 2.0
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1/"}
# The floor plus the bare trigram query of the same address: the address lookup's own floor.
FLOOR_SEARCH = "floor_search"


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
    if kind == FLOOR_SEARCH:
        return [
            {
                "method": "GET",
                "path": "/bench/floor/search/?" + urlencode({"id": c.pk, "q": c.address}),
            }
            for c in customers
        ]
    return [
        {"method": "GET", "path": "/?" + urlencode({"q": query_for(kind, c)}), "headers": HTMX}
        for c in customers
    ]


def interleaved(customers):
    """Floor, account, phone and address requests in turn: each client cycles through them, so
    every kind is measured at the same moments (a busy machine slows them alike)."""
    lists = [
        [dict(item, tag=kind) for item in requests_for(kind, customers)]
        for kind in ("floor", *KINDS, FLOOR_SEARCH)
    ]
    return [item for group in zip(*lists, strict=True) for item in group]


JUDGED_BY = {
    "account": "ratio_p50",
    "phone": "ratio_p50",
    "address": "ratio_p50_vs_floor_and_query",
}


def _ratios(by_tag):
    """Each kind's p50 over the floor's, and the address's over the floor plus its query."""
    floor = (by_tag.get("floor") or {}).get("p50_ms")
    floor_search = (by_tag.get(FLOOR_SEARCH) or {}).get("p50_ms")
    for kind in KINDS:
        figures = by_tag.get(kind) or {}
        p50 = figures.get("p50_ms")
        figures["ratio_p50"] = round(p50 / floor, 2) if p50 and floor else None
        if kind == "address":
            figures["ratio_p50_vs_floor_and_query"] = (
                round(p50 / floor_search, 2) if p50 and floor_search else None
            )


def bare_query(customers, count=60):
    """The address lookup's trigram query alone, in this process: its SQL run directly
    (p50 and p95 in ms, and how many rows pass the similarity threshold before ranking)."""
    import statistics
    import time

    from django.db import connection

    from outages.selectors import ADDRESS_MATCHES, address_search

    times, candidates = [], []
    with connection.cursor() as cursor:
        for customer in customers[:count]:
            query = address_search(customer.address, limit=ADDRESS_MATCHES + 1).query
            sql, params = query.sql_with_params()
            began = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append(1000 * (time.perf_counter() - began))
            cursor.execute(
                "SELECT count(*) FROM outages_customer WHERE address %%> %s", [customer.address]
            )
            candidates.append(cursor.fetchone()[0])
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "candidates_median": statistics.median(candidates),
        "candidates_max": max(candidates),
        "queries": len(times),
    }


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
        _ratios(by_tag)
        paired[str(concurrency)] = {"all": mixed, **by_tag}
    for by_kind in runs.values():
        floor = by_kind["floor"]["p50_ms"]
        for kind in KINDS:
            p50 = by_kind[kind]["p50_ms"]
            by_kind[kind]["ratio_p50"] = round(p50 / floor, 2) if p50 and floor else None
    single = paired[str(CONCURRENCY[0])]
    ratios = {kind: (single.get(kind) or {}).get("ratio_p50") for kind in KINDS}
    # What each kind's target is measured on: account and phone against the floor, the
    # address against the floor plus its bare trigram query.
    judged = {kind: (single.get(kind) or {}).get(JUDGED_BY[kind]) for kind in KINDS}
    worst = max(judged, key=lambda kind: judged[kind] or float("inf"))
    every_run = [f for by_kind in runs.values() for f in by_kind.values()]
    every_run += [by_tag["all"] for by_tag in paired.values()]
    errors = sum(
        figures["errors"] + sum(n for s, n in figures["statuses"].items() if s != "200")
        for figures in every_run
    )
    address = single.get("address") or {}
    return {
        "ratio_p50": judged[worst],
        "ratio_p50_by_kind": ratios,
        "ratio_p50_judged_by_kind": judged,
        "ratio_p50_is": (
            f"the worst kind ({worst}) at 1 client, each against its own floor: account and "
            "phone p50 / the floor's p50, address p50 / the p50 of the floor plus its bare "
            "trigram query; all measured in one run with floor and lookup requests interleaved"
        ),
        "address": {
            "ratio_p50_vs_floor": address.get("ratio_p50"),
            "ratio_p50_vs_floor_and_query": address.get("ratio_p50_vs_floor_and_query"),
            "floor_and_query_p50_ms": (single.get(FLOOR_SEARCH) or {}).get("p50_ms"),
            "bare_query": bare_query(customers),
        },
        "ratio_p50_by_clients": {
            clients: {kind: (by_tag.get(kind) or {}).get("ratio_p50") for kind in KINDS}
            for clients, by_tag in paired.items()
        },
        "floor_p50_ms": (single.get("floor") or {}).get("p50_ms"),
        "floor": {
            "p50_ms": (single.get("floor") or {}).get("p50_ms"),
            "floor_and_address_query_p50_ms": (single.get(FLOOR_SEARCH) or {}).get("p50_ms"),
        },
        "interleaved_runs": paired,
        "target": (
            f"ratio_p50 < {TARGET_RATIO} at 1 client: account and phone against the floor, "
            "address against the floor plus its bare trigram query"
        ),
        "met": bool(judged[worst] and judged[worst] < TARGET_RATIO),
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
