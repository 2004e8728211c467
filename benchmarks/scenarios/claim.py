"""32 agents claiming "next callback" at once until a queue of 10,000 is empty, calling
``workload.services.callback_claim_next`` directly from 32 threads of this process (each
thread its own database connection, as each gunicorn thread has). Counts claims per second and
duplicates: a callback handed to more than one claim (must be 0). Each agent's cap is 2 %
above their fair share, so the fastest claimers reach it and are refused: the cap is exercised
under contention, and checked afterwards against what each agent holds."""

import math
import threading
import time
from datetime import timedelta

AGENTS = 32
CALLBACKS = 10_000
TARGET = 500
# Each agent's cap, as a multiple of their fair share of the queue.
CAP_SHARE = 1.02
TITLE = "Claim benchmark"


def run(context):
    from django.db import connection
    from django.db.models import Count

    from benchmarks.dataset import copy_callbacks, put_on_duty, reset_callbacks
    from benchmarks.scenarios.release import calling_moment
    from callbacks import policy
    from callbacks.models import CallbackEvent, CallbackRequest
    from outages import services as outage_services
    from outages.models import Outage, ServiceArea
    from workload import services as distribution

    count = max(1, int(CALLBACKS * context.options.scale))
    agents = context.people.agents[:AGENTS]
    now = calling_moment()
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
    cap = math.ceil(CAP_SHARE * count / len(agents))
    put_on_duty(agents, now=now, cap=cap)
    context.log(f"  claim: {count:,} queued callbacks, {len(agents)} agents claiming")

    claimed = [[] for _ in agents]
    latencies = [[] for _ in agents]
    failures = []
    refused_at_cap = []
    barrier = threading.Barrier(len(agents) + 1)

    def claimer(index, agent):
        try:
            barrier.wait()
            while True:
                began = time.perf_counter()
                try:
                    callback = distribution.callback_claim_next(agent=agent, now=now)
                except distribution.DistributionError:
                    refused_at_cap.append(index)  # at their cap: this agent is done
                    return
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
    most_held = (
        CallbackRequest.objects.filter(outage=outage, assigned_to__isnull=False)
        .values("assigned_to")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    ) or 0
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
        "agent_cap": cap,
        "most_held_by_one_agent": most_held,
        "caps_exceeded": most_held > cap,
        "refused_at_cap": len(refused_at_cap),
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "target": f"per_second > {TARGET} and duplicates == 0 and no cap exceeded",
        "met": bool(
            per_second
            and per_second > TARGET
            and duplicates == 0
            and most_held <= cap
            and not left
            and not failures
        ),
        "parameters": {
            "callbacks": count,
            "agents": len(agents),
            "how": "callback_claim_next called directly from 32 threads (own DB connections)",
        },
    }
