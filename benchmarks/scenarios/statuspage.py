"""The public status page under a crowd, beside the floor: the page itself (``/status/``) and
a lookup by postal code (``/status/lookup/?q=...``), each interleaved with the floor view at
64 clients in one run. Visitors carry no session."""

import random
from urllib.parse import urlencode

NEEDS_SERVER = True
CLIENTS = 64
SAMPLE = 2000
TARGET_RATIO = 1.5


def postal_codes(seed, count=SAMPLE):
    from outages.models import Coverage, Outage

    rng = random.Random(f"statuspage-{seed}")
    areas = list(
        Outage.areas.through.objects.filter(outage__in=Outage.objects.active())
        .values_list("servicearea_id", flat=True)
        .distinct()
    )
    codes = list(
        Coverage.objects.filter(area_id__in=rng.sample(areas, min(100, len(areas))))
        .order_by("id")
        .values_list("postal_code", flat=True)[: count * 3]
    )
    return rng.sample(codes, min(count, len(codes)))


def customer_ids(seed, count):
    from outages.models import Customer

    ids = list(Customer.objects.order_by("id").values_list("id", flat=True)[: count * 3])
    return random.Random(f"statuspage-floor-{seed}").sample(ids, min(count, len(ids)))


def run(context):
    from benchmarks.dataset import session_cookies

    codes = postal_codes(context.sizes.seed)
    floor = [
        {"method": "GET", "path": f"/bench/floor/?id={pk}", "tag": "floor"}
        for pk in customer_ids(context.sizes.seed, len(codes))
    ]
    pages = {
        "page": [{"method": "GET", "path": "/status/", "tag": "page"} for _ in codes],
        "lookup": [
            {"method": "GET", "path": "/status/lookup/?" + urlencode({"q": c}), "tag": "lookup"}
            for c in codes
        ],
    }
    # The floor needs a session (it sits behind the login); the status page ignores it.
    cookies = session_cookies(context.people.agents[:CLIENTS])
    runs, ratios = {}, {}
    for kind, requests in pages.items():
        context.log(f"  status {kind} and floor interleaved x{CLIENTS}")
        mixed = [item for pair in zip(floor, requests, strict=True) for item in pair]
        figures = context.drive(
            f"statuspage-{kind}-{CLIENTS}",
            concurrency=CLIENTS,
            cookies=cookies,
            requests=mixed,
            warmup=1.0,
        )
        by_tag = figures.pop("by_tag", {})
        floor_p50 = (by_tag.get("floor") or {}).get("p50_ms")
        p50 = (by_tag.get(kind) or {}).get("p50_ms")
        ratios[kind] = round(p50 / floor_p50, 2) if p50 and floor_p50 else None
        if kind in by_tag:
            by_tag[kind]["ratio_p50"] = ratios[kind]
        runs[kind] = {"all": figures, **by_tag}
    worst = max(ratios, key=lambda k: ratios[k] or float("inf"))
    errors = sum(
        f["all"]["errors"] + sum(n for s, n in f["all"]["statuses"].items() if s != "200")
        for f in runs.values()
    )
    floor_p50 = {kind: (runs[kind].get("floor") or {}).get("p50_ms") for kind in runs}
    return {
        "figure": ratios[worst],
        "floor": {"p50_ms_by_kind": floor_p50, "is": "the floor view's p50 in each run"},
        "ratio_p50": ratios[worst],
        "ratio_p50_by_kind": ratios,
        "ratio_p50_is": (
            f"the worse of the page and the lookup ({worst}): its p50 / the floor's p50, "
            f"interleaved in one run at {CLIENTS} clients"
        ),
        "interleaved_runs": {
            f"{CLIENTS}": {k: v for kind in runs for k, v in runs[kind].items() if k != "all"}
        },
        "runs": runs,
        "target": f"ratio_p50 < {TARGET_RATIO}",
        "met": bool(ratios[worst] and ratios[worst] < TARGET_RATIO),
        "failed_requests": errors,
        "parameters": {
            "clients": CLIENTS,
            "duration_s": context.options.duration,
            "sampled_postal_codes": len(codes),
        },
    }
