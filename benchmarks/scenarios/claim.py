"""32 agents claiming "next callback" at once until a queue of 10,000 is empty, calling
``workload.services.callback_claim_next`` directly from 32 threads of this process (each
thread its own database connection, as each gunicorn thread has). Counts claims per second and
duplicates: a callback handed to more than one claim (must be 0)."""

import threading
import time
from datetime import timedelta

AGENTS = 32
CALLBACKS = 10_000
TARGET = 500
TITLE = "Claim benchmark"


def run(context):
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from benchmarks.dataset import copy_callbacks, put_on_duty, reset_callbacks
    from callbacks import policy
    from callbacks.models import CallbackEvent, CallbackRequest
    from outages import services as outage_services
    from outages.models import Outage, ServiceArea
    from workload import services as distribution

    count = max(1, int(CALLBACKS * context.options.scale))
    agents = context.people.agents[:AGENTS]
    now = timezone.now()
    reset_callbacks()
    Outage.objects.filter(title=TITLE).delete()
    outage = outage_services.outage_declare(
        actor=context.people.supervisor,
        now=now - timedelta(hours=3),
        started_at=now - timedelta(hours=3),
        title=TITLE,
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
    put_on_duty(agents, now=now, cap=min(count, 30_000))
    context.log(f"  claim: {count:,} queued callbacks, {len(agents)} agents claiming")

    claimed = [[] for _ in agents]
    latencies = [[] for _ in agents]
    failures = []
    barrier = threading.Barrier(len(agents) + 1)

    def claimer(index, agent):
        try:
            barrier.wait()
            while True:
                began = time.perf_counter()
                callback = distribution.callback_claim_next(agent=agent, now=timezone.now())
                latencies[index].append(time.perf_counter() - began)
                if callback is None:
                    return
                claimed[index].append(callback.pk)
        except Exception as exc:  # noqa: BLE001 - reported in the result
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer, args=(i, agent)) for i, agent in enumerate(agents)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began

    ids = [pk for own in claimed for pk in own]
    twice_in_db = (
        CallbackEvent.objects.filter(callback__outage=outage, to_status=policy.ASSIGNED)
        .values("callback")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    left = CallbackRequest.objects.filter(outage=outage).distributable().count()
    from benchmarks.load import summarise

    figures = summarise([t for own in latencies for t in own], seconds)
    reset_callbacks()
    from benchmarks.scenarios.release import _purge_broker

    _purge_broker()  # the restoration's wake-up, which no worker reads here
    duplicates = len(ids) - len(set(ids)) + twice_in_db
    per_second = round(len(ids) / seconds, 1) if seconds else None
    return {
        "per_second": per_second,
        "duplicates": duplicates,
        "claimed": len(ids),
        "left_in_queue": left,
        "seconds": round(seconds, 3),
        "claim_p50_ms": figures["p50_ms"],
        "claim_p99_ms": figures["p99_ms"],
        "per_agent_min_max": [min(map(len, claimed)), max(map(len, claimed))],
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "target": f"per_second > {TARGET} and duplicates == 0",
        "met": bool(
            per_second and per_second > TARGET and duplicates == 0 and not left and not failures
        ),
        "parameters": {
            "callbacks": count,
            "agents": len(agents),
            "how": "callback_claim_next called directly from 32 threads (own DB connections)",
        },
    }
