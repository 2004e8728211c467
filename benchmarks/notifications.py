"""Notification benchmarks: ``python -m benchmarks.notifications [options]`` (``make bench``
runs it after the other scenarios).

- **fan-out**: the message rows of an outage covering ``--customers`` customers (every one
  with a phone, half with an email, 1 % of phones opted out), written by the product's own
  path (``outage_notify_declared``: notice, one ``INSERT ... SELECT`` with opt-outs, quiet
  hours, the daily cap and ``ON CONFLICT``), against the floor in the same run: the bare
  ``INSERT ... SELECT`` of the same rows into the same table. Each is run three times, in
  alternation, inside a transaction that is rolled back; the medians are compared. Target:
  product <= 1.5 x floor.
- **send throughput**: ``--messages`` SMS sent by ``--workers`` sender processes (the
  product's ``messages_send_batch`` loop, as a Celery worker runs it) to a local HTTP server
  implementing the provider's contract in a process of its own, with the shared Redis rate
  limit at ``--rate`` per second. Target: >= 1,000 messages per second, and no second in
  which the provider received more than the limit. The provider (``benchmarks/sms_provider.py``,
  one asyncio loop) is measured alone first, driven by a bare client: its ceiling is the floor
  of this figure on this machine, and the CPU each side spends per message is recorded.

``--only send`` (or ``--only fanout``) runs one part: the send part takes seconds, the fan-out
of a million customers minutes. The other part's last figures are kept in the JSON.

Its own database (``console_bench_notify``, re-created each run) and the benchmark broker.
Results go to ``benchmarks/notifications.json`` and the notifications section of
``benchmarks/RESULTS.md``.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from datetime import UTC, datetime

from . import environment, sms_provider

DATABASE = "console_bench_notify"
FANOUT_RATIO_TARGET = 1.5
THROUGHPUT_TARGET = 1_000
PROVIDER_SID, PROVIDER_TOKEN = "AC-bench", "bench-token"
RESULTS_JSON = environment.PACKAGE_DIR / "notifications.json"
RESULTS_MD = environment.PACKAGE_DIR / "RESULTS.md"
BEGIN, END = "<!-- notifications:begin -->", "<!-- notifications:end -->"


def log(message):
    stamp = time.strftime("%H:%M:%S", time.gmtime())
    print(f"[bench-notify {stamp} UTC] {message}", file=sys.stderr, flush=True)


def _setup(args):
    os.environ.update(environment.server_environment(DATABASE))
    os.environ.update(
        {
            "NOTIFY_SMS_PROVIDER": "twilio",
            "NOTIFY_SMS_ACCOUNT_SID": PROVIDER_SID,
            "NOTIFY_SMS_AUTH_TOKEN": PROVIDER_TOKEN,
            "NOTIFY_SMS_RATE": str(args.rate),
            "NOTIFY_REDIS_URL": environment.broker_url(),
            "NOTIFY_BATCH_SIZE": "500",
            "NOTIFY_QUIET_START": "00:00",
            "NOTIFY_QUIET_END": "00:00",
            "NOTIFY_DAILY_CAP": "1000",
            "LOG_LEVEL": "WARNING",
        }
    )
    if str(environment.BASE_DIR) not in sys.path:
        sys.path.insert(0, str(environment.BASE_DIR))
    import django  # noqa: PLC0415 - settings come from the environment set just above

    django.setup()


def _customers(cursor, *, area_id, count, prefix, start):
    cursor.execute(
        "INSERT INTO outages_customer (account_number, name, phone, email, address,"
        " postal_code, area_id, status, language, updated_at)"
        " SELECT %s || g, 'Customer ' || g, '+1' || (2000000000 + g),"
        " CASE WHEN g %% 2 = 0 THEN 'c' || g || '@example.com' ELSE '' END,"
        " g || ' Long Road', '20001', %s, 'active', 'en', now()"
        " FROM generate_series(%s, %s) g",
        [prefix, area_id, start, start + count - 1],
    )


class _Rollback(Exception):
    pass


def _timed(action):
    from django.db import transaction  # noqa: PLC0415

    began = time.perf_counter()
    try:
        with transaction.atomic():
            rows = action()
            elapsed = time.perf_counter() - began
            raise _Rollback
    except _Rollback:
        pass
    return elapsed, rows


def fanout(args):
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from notifications import services  # noqa: PLC0415
    from notifications.models import Notice  # noqa: PLC0415
    from outages.models import Outage, ServiceArea  # noqa: PLC0415

    now = timezone.now()
    area = ServiceArea.objects.create(code="FAN", name="Fan-out area", region="Bench")
    log(f"fan-out: {args.customers:,} customers")
    with connection.cursor() as cursor:
        _customers(cursor, area_id=area.pk, count=args.customers, prefix="F", start=1)
        cursor.execute(
            "INSERT INTO notifications_optout (channel, address, source, at)"
            " SELECT 'sms', phone, 'link', now() FROM outages_customer"
            " WHERE area_id = %s AND id %% 100 = 0",
            [area.pk],
        )
        cursor.execute("ANALYZE")
    outage = Outage.objects.create(title="Fan-out", started_at=now, updated_at=now)
    outage.areas.set([area])

    def product():
        return services.outage_notify_declared(actor=None, now=now, outage=outage).recipients

    def bare():
        notice = Notice.objects.create(event="declared", key="bare", outage=outage, created_at=now)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO notifications_message (notice_id, outage_id, customer_id,"
                " subscription_id, channel, address, status, priority, not_before, created_at,"
                " attempts, provider_id, error, subject, body, segments)"
                " SELECT %s, %s, c.id, CAST(NULL AS BIGINT), 'sms', c.phone, 'queued', 4, %s,"
                " %s, 0, '', '', '', '', 0 FROM outages_customer c"
                " WHERE c.area_id IN (SELECT servicearea_id"
                " FROM outages_outage_areas WHERE outage_id = %s) AND c.phone <> ''"
                " UNION ALL"
                " SELECT %s, %s, c.id, CAST(NULL AS BIGINT), 'email', c.email, 'queued', 4, %s,"
                " %s, 0, '', '', '', '', 0 FROM outages_customer c"
                " WHERE c.area_id IN (SELECT servicearea_id"
                " FROM outages_outage_areas WHERE outage_id = %s) AND c.email <> ''",
                [notice.pk, outage.pk, now, now, outage.pk] * 2,
            )
            return cursor.rowcount

    floors, products = [], []
    for round_ in range(3):
        seconds, rows = _timed(bare)
        floors.append(seconds)
        log(f"  round {round_ + 1}: bare INSERT ... SELECT {rows:,} rows in {seconds:.2f} s")
        seconds, written = _timed(product)
        products.append(seconds)
        log(f"  round {round_ + 1}: product fan-out {written:,} rows in {seconds:.2f} s")
    floor, measured = statistics.median(floors), statistics.median(products)
    ratio = measured / floor
    return {
        "customers": args.customers,
        "rows_bare": rows,
        "rows_product": written,
        "bare_seconds": [round(s, 3) for s in floors],
        "product_seconds": [round(s, 3) for s in products],
        "ratio": round(ratio, 3),
        "target": f"product <= {FANOUT_RATIO_TARGET} x bare INSERT ... SELECT",
        "met": ratio <= FANOUT_RATIO_TARGET,
    }


def _send_until_empty(_index):
    from django.db import connection  # noqa: PLC0415
    from django.urls import reverse  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from notifications import services  # noqa: PLC0415

    connection.close()
    reverse("notifications:sms_status")  # the URL map loads once per worker, not per send
    cpu_before = time.process_time()
    sent = 0
    while True:
        claimed = services.messages_send_batch(now=timezone.now())
        if not claimed:
            return sent, time.process_time() - cpu_before
        sent += claimed


def throughput(args):
    from django.conf import settings  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from notifications import services  # noqa: PLC0415
    from outages.models import Outage, ServiceArea  # noqa: PLC0415

    now = timezone.now()
    area = ServiceArea.objects.create(code="SEND", name="Send area", region="Bench")
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        _customers(cursor, area_id=area.pk, count=args.messages, prefix="S", start=50_000_000)
        cursor.execute("UPDATE outages_customer SET email = '' WHERE area_id = %s", [area.pk])
    outage = Outage.objects.create(title="Send", started_at=now, updated_at=now)
    outage.areas.set([area])
    services.outage_notify_declared(actor=None, now=now, outage=outage)
    context = multiprocessing.get_context("fork")
    connections.close_all()
    log("send: the provider alone, driven by a bare client (the floor)")
    floor = sms_provider.drive(
        context,
        sid=PROVIDER_SID,
        token=PROVIDER_TOKEN,
        count=args.messages,
        connections=settings.NOTIFY_SMS_CONCURRENCY,
        clients=args.workers,
    )
    log(
        f"  provider ceiling {floor['requests_per_second']:,}/s,"
        f" {floor['provider_cpu_us_per_request']} us CPU a request"
    )
    port_queue, stats_queue, stop = context.Queue(), context.Queue(), context.Event()
    server = context.Process(
        target=sms_provider.serve,
        kwargs={
            "sid": PROVIDER_SID,
            "token": PROVIDER_TOKEN,
            "url_queue": port_queue,
            "stop": stop,
            "stats_queue": stats_queue,
        },
    )
    server.start()
    os.environ["NOTIFY_SMS_API_URL"] = port_queue.get(timeout=30)
    settings.NOTIFY_SMS_API_URL = os.environ["NOTIFY_SMS_API_URL"]
    connections.close_all()
    log(f"send: {args.messages:,} SMS, {args.workers} sender processes, limit {args.rate}/s")
    began = time.perf_counter()
    with context.Pool(args.workers) as pool:
        outcomes = pool.map(_send_until_empty, range(args.workers))
    elapsed = time.perf_counter() - began
    stop.set()
    stats = stats_queue.get(timeout=60)
    server.join(timeout=30)
    sent = sum(count for count, _ in outcomes)
    sender_cpu = sum(cpu for _, cpu in outcomes)
    # Only whole seconds: the first and last are partly outside the run.
    peak = max(stats["per_second"].values(), default=0)
    rate = sent / elapsed
    log(f"  {sent:,} sent in {elapsed:.1f} s: {rate:.0f}/s, busiest second {peak}")
    return {
        "messages": args.messages,
        "sent": sent,
        "seconds": round(elapsed, 2),
        "messages_per_second": round(rate),
        "rate_limit_per_second": args.rate,
        "rate_margin_ms": settings.NOTIFY_RATE_MARGIN_MS,
        "busiest_second_at_provider": peak,
        "provider_requests": stats["requests"],
        "provider_delivered": stats["delivered"],
        "sender_processes": args.workers,
        "sender_cpu_us_per_message": round(1e6 * sender_cpu / max(1, sent), 1),
        "provider_cpu_us_per_request": round(
            1e6 * stats["cpu_seconds"] / max(1, stats["requests"]), 1
        ),
        "floor": floor,
        "floor_description": "the provider alone: requests a second answered to bare clients",
        "target": f">= {THROUGHPUT_TARGET}/s with no second above the limit",
        "met": rate >= THROUGHPUT_TARGET and peak <= args.rate,
        "rate_limit_respected": peak <= args.rate,
    }


def _markdown(result):
    fan, send = result.get("fanout"), result.get("send")
    rows = []
    if fan:
        rows.append(
            f"| fan-out, {fan['customers']:,} customers ({fan['rows_product']:,} rows) | "
            f"product {statistics.median(fan['product_seconds']):.2f} s vs bare INSERT ... "
            f"SELECT {statistics.median(fan['bare_seconds']):.2f} s: x{fan['ratio']} | "
            f"{fan['target']} | {'yes' if fan['met'] else 'no'} |"
        )
    if send:
        floor = send.get("floor") or {}
        rows.append(
            f"| send, {send['messages']:,} SMS, {send['sender_processes']} senders | "
            f"{send['messages_per_second']:,} msg/s; busiest second at the provider "
            f"{send['busiest_second_at_provider']} (limit {send['rate_limit_per_second']}); "
            f"floor: the provider alone answers {floor.get('requests_per_second', '?'):,}/s "
            f"({floor.get('provider_cpu_us_per_request', '?')} us CPU a request); sender "
            f"{send.get('sender_cpu_us_per_message', '?')} us CPU a message | "
            f"{send['target']} | {'yes' if send['met'] else 'no'} |"
        )
    return "\n".join(
        [
            BEGIN,
            "## Notifications",
            "",
            f"Measured {result['measured_at']} (load average before/after "
            f"{result['load_average']}), `{result['command']}`.",
            "",
            "| scenario | figure | target | met |",
            "|---|---|---|---|",
            *rows,
            "",
            "Reproduce: `make bench` (all scenarios), or only these: "
            "`.venv/bin/python -m benchmarks.notifications --customers 1000000 "
            "--messages 20000 --rate 1500 --workers 2` (`--only send`: the send part alone, "
            "in seconds).",
            END,
        ]
    )


def _write(result):
    RESULTS_JSON.write_text(json.dumps(result, indent=2) + "\n")
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else ""
    section = _markdown(result)
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    RESULTS_MD.write_text(text)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.notifications")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=1_500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--only",
        choices=("fanout", "send"),
        help="run one part (the other part's last figures stay in the JSON)",
    )
    args = parser.parse_args(argv)
    try:
        environment.check_services()
    except environment.ServiceMissing as missing:
        print(missing.message, file=sys.stderr)
        return 2
    load_before = os.getloadavg()[0]
    environment.ensure_database(DATABASE, fresh=True)
    from .dataset import manage  # noqa: PLC0415

    manage("migrate", "--noinput", "-v0", database=DATABASE)
    _setup(args)
    result = {}
    if RESULTS_JSON.exists() and args.only:
        previous = json.loads(RESULTS_JSON.read_text())
        result = {part: previous[part] for part in ("fanout", "send") if part in previous}
    if args.only in (None, "fanout"):
        result["fanout"] = fanout(args)
    if args.only in (None, "send"):
        result["send"] = throughput(args)
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result["command"] = "python -m benchmarks.notifications " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    _write(result)
    environment.drop_database(DATABASE)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
