"""Callback filings per second through the real form: ``POST /call/callback/`` with the CSRF
token each client got from the live-call page, validated by the form (phone to E.164), filed
by ``callback_file`` with its dedupe (one in ten filings repeats a phone already filed for the
same outage: it merges into the open callback instead of creating a second)."""

import random

import phonenumbers

NEEDS_SERVER = True
CONCURRENCY = (8, 32)
TARGET = 250
TARGET_CLIENTS = 8
BODIES = 40_000
REPEAT_EVERY = 10


def _outage_category():
    """The call-log category and sub-category the form offers first (the outage ones)."""
    from contact.forms import CallbackForm

    form = CallbackForm()
    pairs = []
    for name in ("category", "subcategory"):
        field = form.fields.get(name)
        choices = [value for value, _ in getattr(field, "choices", []) if value]
        pairs.append(choices[0] if choices else "")
    category, subcategory = pairs
    try:
        from callbacks import categories

        subcategory = next(iter(categories.CATEGORIES[category][1]))
    except (ImportError, KeyError, AttributeError, StopIteration):
        pass
    return category, subcategory


def bodies(*, seed, count=BODIES):
    from benchmarks.dataset import callback_phones
    from outages.models import Customer, Outage

    rng = random.Random(f"filing-{seed}")
    category, subcategory = _outage_category()
    outages = list(Outage.objects.active().values_list("id", flat=True))
    bounds = Customer.objects.order_by("id").values_list("id", flat=True)
    low, high = bounds.first(), bounds.last()
    phones = callback_phones(count, seed=seed + 1000)
    forms = []
    for index in range(count):
        if index % REPEAT_EVERY == REPEAT_EVERY - 1:
            repeat = dict(forms[index - REPEAT_EVERY // 2])
            repeat["call_reason"] = "Called again: still no service"
            forms.append(repeat)
            continue
        number = phonenumbers.parse(phones[index], None)
        forms.append(
            {
                "outage": str(rng.choice(outages)),
                "customer": str(rng.randint(low, high)),
                "name": f"Caller {index + 1}",
                # As the agent types it: national format, validated and normalised by the form.
                "phone": phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.NATIONAL
                ),
                "call_reason": "No internet since this morning",
                "category": category,
                "subcategory": subcategory,
                "item": "Home broadband",
                "preferred_window": "any",
                "notes": "",
            }
        )
    return [{"method": "POST", "path": "/call/callback/", "form": form} for form in forms]


def _floor_requests(count=400):
    from outages.models import Customer

    ids = Customer.objects.order_by("id").values_list("id", flat=True)[:count]
    return [{"method": "GET", "path": f"/bench/floor/?id={pk}"} for pk in ids]


def _meter(context):
    """CPU of the web server's processes and of the database's backends (``benchmarks.cpu``)."""
    from benchmarks import cpu

    return cpu.Meter(
        {"web": lambda: cpu.tree(context.server.process.pid), "database": cpu.database_backends}
    )


def _per_filing(meter, figures):
    """Where the CPU went, and per request sent (warm-up included, as the meter counts it)."""
    spent = meter.stop(extra={"load_generator": figures.get("client_cpu_seconds", 0)})
    sent = figures.get("requests_sent") or 0
    if sent:
        for part in ("web", "database", "load_generator"):
            seconds = spent.get(f"{part}_cpu_seconds") or 0
            spent[f"{part}_cpu_ms_per_request"] = round(1000 * seconds / sent, 2)
        spent["all_cpu_ms_per_request"] = round(
            sum(
                spent[f"{part}_cpu_ms_per_request"]
                for part in ("web", "database", "load_generator")
            ),
            2,
        )
    return spent


def run(context):
    from benchmarks.dataset import reset_callbacks, session_cookies
    from callbacks.models import CallbackEvent, CallbackRequest

    requests = bodies(seed=context.sizes.seed)
    cookies = session_cookies(context.people.agents[: max(CONCURRENCY)])
    context.log(f"  floor x{TARGET_CLIENTS}")
    floor = context.drive(
        f"filing-floor-{TARGET_CLIENTS}",
        concurrency=TARGET_CLIENTS,
        cookies=cookies,
        requests=_floor_requests(),
        warmup=1.0,
    )
    runs = {}
    for concurrency in CONCURRENCY:
        reset_callbacks()
        context.log(f"  filing x{concurrency}")
        meter = _meter(context).start()
        figures = context.drive(
            f"filing-{concurrency}",
            concurrency=concurrency,
            cookies=cookies,
            csrf_path="/",
            requests=requests,
            max_requests=len(requests) - 1,
            warmup=1.0,
        )
        figures["cpu"] = _per_filing(meter, figures)
        figures["callbacks_created"] = CallbackRequest.objects.count()
        figures["merged"] = CallbackEvent.objects.filter(reason__contains="merged").count()
        runs[str(concurrency)] = figures
    judged = runs[str(TARGET_CLIENTS)]
    failed = sum(
        figures["errors"] + sum(n for s, n in figures["statuses"].items() if s != "200")
        for figures in runs.values()
    )
    reset_callbacks()
    return {
        "per_second": judged["per_second"],
        "per_second_is": f"filings per second at {TARGET_CLIENTS} clients",
        "per_second_by_clients": {clients: f["per_second"] for clients, f in runs.items()},
        "p50_ms": judged["p50_ms"],
        "p99_ms": judged["p99_ms"],
        "floor": {
            "per_second": floor["per_second"],
            "p50_ms": floor["p50_ms"],
            "is": f"the floor view (GET, one primary-key query) at {TARGET_CLIENTS} clients, "
            "same server, just before the filings",
        },
        "target": f"per_second > {TARGET} at {TARGET_CLIENTS} clients, 0 errors",
        "met": bool(judged["per_second"] and judged["per_second"] > TARGET and not failed),
        "failed_requests": failed,
        "runs": runs,
        "parameters": {
            "concurrency": list(CONCURRENCY),
            "duration_s": context.options.duration,
            "repeat_filings": f"1 in {REPEAT_EVERY} (merged by the dedupe)",
            "request": "POST /call/callback/ form with csrfmiddlewaretoken, agent session",
        },
    }
