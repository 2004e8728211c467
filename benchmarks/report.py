"""``benchmarks/results.json`` (merged: a scenario run alone replaces only its own entry) and
``benchmarks/RESULTS.md`` (the table, the machine, the versions, the commands, the dates, and
the analysis of what missed its target from ``benchmarks/ANALYSIS.md``)."""

import json
import os
import platform
import subprocess
from datetime import UTC, datetime

from .environment import PACKAGE_DIR

RESULTS = PACKAGE_DIR / "results.json"
TABLE = PACKAGE_DIR / "RESULTS.md"
ANALYSIS = PACKAGE_DIR / "ANALYSIS.md"
# Figures from the test suite and the simulation, kept by hand beside the measured ones.
WORKLOAD = PACKAGE_DIR / "WORKLOAD.md"

# scenario -> (headline key, unit, target text)
HEADLINES = {
    "lookup": ("ratio_p50", "× the floor's p50", "< 2"),
    "filing": ("per_second", "filings/s at 8 clients", "> 250"),
    "release": ("seconds", "s", "< 3, and <= 2 × the bare SQL"),
    "claim": ("per_second", "claims/s", "> 500, 0 duplicates"),
    "import": ("seconds", "s", "< 60, and <= 1.5 × a bare COPY"),
    "reports": ("analytics_p50_ms", "ms (analytics page over a year, p50)", "< 500"),
    "ivr": ("ratio_p50", "× the floor's p50 at 64 clients", "< 2 and >= 1,000 answers/s"),
    "statuspage": ("ratio_p50", "× the floor's p50 at 64 clients", "< 1.5"),
    "live": (
        "p99_ms",
        "ms until every affected screen of 2,000 has the new ETR (p99)",
        "< 2,000, none missed, lookup ratio at most 10% worse",
    ),
}


def load():
    try:
        return json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return {}


def machine():
    """The hardware and versions the figures were measured on."""
    from django import get_version
    from django.db import connection

    info = {
        "nproc": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "django": get_version(),
        "os": platform.platform(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0]
    info["redis"] = _redis_version()
    info["gunicorn"] = _version("gunicorn")
    info["psycopg"] = _version("psycopg")
    return info


def _version(package):
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def _memory_gb():
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _redis_version():
    import redis

    from .environment import broker_url

    try:
        return redis.Redis.from_url(broker_url(), socket_timeout=3).info("server")["redis_version"]
    except redis.RedisError:
        return None


def write(new_results, *, command, total_seconds):
    results = load()
    results.update(new_results)
    previous = results.get("machine", {})
    results["machine"] = machine()
    if previous.get("make_bench_seconds"):
        # A single scenario run keeps the last whole run's duration.
        results["machine"]["make_bench_seconds"] = previous["make_bench_seconds"]
    results["machine"]["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    if command.startswith("make bench"):
        results["machine"]["make_bench_seconds"] = round(total_seconds, 1)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    TABLE.write_text(markdown(results))
    return results


def _figure(value):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _headline(name, result):
    key, unit, target = HEADLINES[name]
    value = result.get(key)
    shown = f"{_figure(value)} {unit}"
    if name == "claim":
        shown += f", {_figure(result.get('duplicates'))} duplicates"
        if "caps_exceeded" in result:
            shown += ", a cap exceeded" if result["caps_exceeded"] else ", no cap exceeded"
    if name in ("release", "import") and (result.get("floor") or {}).get("seconds"):
        floor = result["floor"]["seconds"]
        shown += f" ({_figure(result.get('ratio_to_floor'))} × the floor's {_figure(floor)} s)"
    if name == "release" and value is None and result.get("stopped_step"):
        stopped = result.get("stopped_after_s")
        shown = f"did not finish: {result['stopped_step']} stopped after {stopped} s"
    if name == "ivr":
        shown += f", {_figure(result.get('per_second'))} answers/s"
    if name == "import" and value is None and result.get("skipped"):
        shown = f"not run: {result['skipped']}"
    met = "met" if result.get("met") else "missed"
    return f"| {name} | {shown} | {target} | {met} | {result.get('measured_at', '')} |"


def _lookup_table(result):
    rows = [
        "| clients | kind | p50 ms | p95 ms | p99 ms | requests/s | p50 ratio to floor |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for clients, by_kind in result.get("runs", {}).items():
        for kind, figures in by_kind.items():
            rows.append(
                f"| {clients} | {kind} | {_figure(figures.get('p50_ms'))} | "
                f"{_figure(figures.get('p95_ms'))} | {_figure(figures.get('p99_ms'))} | "
                f"{_figure(figures.get('per_second'))} | {_figure(figures.get('ratio_p50'))} |"
            )
    return rows


def _interleaved_table(result):
    rows = [
        "| clients | kind | p50 ms | p95 ms | p99 ms | floor p50 ms | p50 ratio to floor |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for clients, by_tag in result.get("interleaved_runs", {}).items():
        floor = (by_tag.get("floor") or {}).get("p50_ms")
        for kind, figures in by_tag.items():
            if kind in ("all", "floor"):
                continue
            rows.append(
                f"| {clients} | {kind} | {_figure(figures.get('p50_ms'))} | "
                f"{_figure(figures.get('p95_ms'))} | {_figure(figures.get('p99_ms'))} | "
                f"{_figure(floor)} | {_figure(figures.get('ratio_p50'))} |"
            )
    return rows


def _ivr_alone(result):
    """Where the IVR's answers are served, and what each cost when sent alone."""
    alone, params = result.get("alone") or {}, result.get("parameters") or {}
    spent = alone.get("cpu") or {}
    if not params.get("ivr_server"):
        return []
    return [
        f"The IVR's requests go to {params['ivr_server']} (as the load balancer routes them), "
        "the floor's to gunicorn. Alone at "
        f"{_figure(params.get('clients'))} clients: {_figure(alone.get('per_second'))} "
        f"answers/s (p50 {_figure(alone.get('p50_ms'))} ms); CPU per request sent: the events "
        f"process {_figure(spent.get('events_process_cpu_ms_per_request'))} ms, PostgreSQL "
        f"{_figure(spent.get('database_cpu_ms_per_request'))} ms, the load generator "
        f"{_figure(spent.get('load_generator_cpu_ms_per_request'))} ms, other work on the "
        f"machine {_figure(spent.get('other_cpu_ms_per_request'))} ms. The floor alone on "
        f"gunicorn: {_figure((result.get('floor') or {}).get('per_second_alone'))} pages/s.",
        "",
    ]


def markdown(results):
    m = results.get("machine", {})
    lines = [
        "# Benchmark results",
        "",
        "Measured by `make bench` (`python -m benchmarks all`): the console served by gunicorn",
        "on 127.0.0.1, driven by a load generator in a second process, on PostgreSQL and Redis,",
        "with 1,000,000 customers, 20,000 areas and 500 active outages. `results.json` has every",
        "figure.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {m.get('cpu')} |",
        f"| nproc | {m.get('nproc')} |",
        f"| memory | {m.get('memory_gb')} GB |",
        f"| OS | {m.get('os')} |",
        f"| PostgreSQL | {m.get('postgresql')} |",
        f"| Redis | {m.get('redis')} |",
        f"| Python | {m.get('python')} |",
        f"| Django | {m.get('django')} |",
        f"| gunicorn | {m.get('gunicorn')} |",
        f"| psycopg | {m.get('psycopg')} |",
        f"| written | {m.get('measured_at')} |",
    ]
    if m.get("make_bench_seconds"):
        lines.append(f"| `make bench` took | {m['make_bench_seconds']:.0f} s |")
    busy = [
        (name, r.get("load_average_before_after"))
        for name, r in results.items()
        if name in HEADLINES and r.get("load_average_before_after")
    ]
    if busy:
        worst = max(max(v for v in pair if v is not None) for _, pair in busy)
        lines.append(f"| highest 1-minute load average during a scenario | {worst} |")
        if m.get("nproc") and worst > m["nproc"]:
            # The load when the run began: that of the scenario measured first.
            earliest = min(busy, key=lambda item: results[item[0]].get("measured_at") or "")
            first = earliest[1][0]
            # A scenario run alone later may have started on a machine busy with other work.
            busy_starts = sorted(
                name
                for name, pair in busy
                if pair[0] is not None
                and pair[0] > m["nproc"] * 1.25
                and not str(results[name].get("command", "")).startswith("make bench")
            )
            if busy_starts:
                # The 1-minute average decays slowly: a scenario started right after another
                # one inherits its tail, so this cannot tell other work from the last scenario.
                why = (
                    f"**The load average was already above {m['nproc'] * 1.25:g} when "
                    f"{', '.join(busy_starts)} started** (up to {worst} on {m['nproc']} "
                    "cores), from the scenario run just before or from other work: those "
                    "figures may be lower than this machine gives when idle."
                )
            elif first is not None and first <= m["nproc"] * 1.25:
                why = (
                    f"The run started on a quiet machine (load average {first}); the load of up "
                    f"to {worst} on {m['nproc']} cores is the benchmark itself: gunicorn, the "
                    "load generator and PostgreSQL share the cores."
                )
            else:
                why = (
                    f"**The machine was busy with other work** (load average up to {worst} on "
                    f"{m['nproc']} cores): every figure below is lower than this machine gives "
                    "when idle."
                )
            lines += [
                "",
                why + " `results.json` has the load average before and after each scenario.",
            ]
    lines += [
        "",
        "## Targets",
        "",
        "| scenario | result | target | | measured at (UTC) |",
        "|---|---|---|---|---|",
    ]
    for name in HEADLINES:
        if name in results:
            lines.append(_headline(name, results[name]))
    commands = sorted({r.get("command") for n, r in results.items() if n in HEADLINES} - {None})
    lines += ["", "Commands: " + ", ".join(f"`{c}`" for c in commands), ""]
    if "lookup" in results:
        lookup = results["lookup"]
        server = lookup.get("parameters", {}).get("server", {})
        lines += [
            "## Lookup beside the floor",
            "",
            f"`ratio_p50` is {lookup.get('ratio_p50_is')}. The floor is a view of the same",
            "server behind the same middleware doing one primary-key query and rendering a",
            "one-line template. Server: `" + str(server.get("command", "")) + "`.",
            "",
            "Floor and lookups interleaved in one run (the ratio; same moments, same load). At 8",
            "and 32 clients the floor's requests wait behind lookups for the same workers, so",
            "those ratios understate; the 1-client ratio is the one reported.",
            "",
            *_interleaved_table(lookup),
            "",
            "Each kind alone (latency and throughput at 1, 8 and 32 clients):",
            "",
            *_lookup_table(lookup),
            "",
        ]
    for name, title in (("ivr", "IVR status"), ("statuspage", "Public status page")):
        if name in results:
            result = results[name]
            params = result.get("parameters", {})
            lines += [
                f"## {title} beside the floor",
                "",
                f"`ratio_p50` is {result.get('ratio_p50_is')}. Measured with "
                f"{_figure(params.get('customers'))} customers, {_figure(params.get('areas'))} "
                f"areas and {_figure(params.get('outages'))} active outages "
                f"(`{result.get('command')}`); 1-minute load average before and after: "
                f"{result.get('load_average_before_after')}.",
                "",
                *_interleaved_table(results[name]),
                "",
                *(_ivr_alone(result) if name == "ivr" else []),
            ]
    for name in ("filing", "release", "claim", "import", "live"):
        if name in results:
            lines += [f"## {name.title()}", "", "```json", _summary_json(results[name]), "```", ""]
    if "reports" in results:
        lines += _reports_section(results["reports"])
    if "scaleout" in results:
        lines += _scaleout_section(results["scaleout"])
    for notes in (ANALYSIS, WORKLOAD):
        if notes.exists():
            lines += [notes.read_text().strip(), ""]
    return "\n".join(lines)


def _summary_json(result):
    shown = {k: v for k, v in result.items() if k not in {"runs", "command", "profile"}}
    steps = shown.get("steps")
    if steps:
        shown["steps"] = {
            name: {k: v for k, v in step.items() if k != "plan_of_stopped_statement"}
            for name, step in steps.items()
        }
    return json.dumps(shown, indent=2, sort_keys=True)


def _reports_section(result):
    """The year of history: how it was generated, the pages' latencies, the staffing alarm."""
    data, steps, staffing = (
        result.get("data", {}),
        result.get("steps", {}),
        result.get("staffing", {}),
    )
    load = result.get("load_average_before_after") or [None, None]
    lines = [
        "## Reports over a year of history",
        "",
        f"`{result.get('command')}` generated {data.get('outages', 0):,} closed outages over the "
        f"last year, {data.get('callbacks', 0):,} callbacks and {data.get('attempts', 0):,} "
        f"attempts on them and {data.get('lookups_requested', 0):,} live-call lookups with "
        f"set-based SQL ({steps.get('generate_seconds')} s), built the summary rows from them "
        f"(`manage.py reports_rebuild`: {steps.get('rebuild_seconds')} s; the five-minute "
        f"refresh afterwards: {steps.get('scheduled_refresh_seconds')} s), then requested each "
        "page in-process through Django's test client as a team lead (view, queries and "
        "template; no network). The analytics page reads only the summary rows "
        "(`reports/models.py`); one outage's report reads its live rows. The machine's load "
        f"average was {load[0]} before and {load[1]} after on 2 cores (other work shared it): "
        "the figures are slower than an idle machine gives.",
        "",
        "| page | p50 | p95 | max | requests |",
        "|---|---|---|---|---|",
    ]
    labels = {
        "analytics_year": "analytics, a year",
        "analytics_month": "analytics, 30 days",
        "outage_report": "one post-incident report (4,000 callbacks)",
        "archive_search": "archive search",
        "staffing_alarm_read": "staffing alarm (the stored forecast)",
        "queue_board": "queue board (with 10,000 open callbacks)",
    }
    for key, page in result.get("pages", {}).items():
        lines.append(
            f"| {labels.get(key, key)} | {_figure(page.get('p50_ms'))} ms | "
            f"{_figure(page.get('p95_ms'))} ms | {_figure(page.get('max_ms'))} ms | "
            f"{page.get('requests')} |"
        )
    if staffing:
        lines += [
            "",
            f"Staffing alarm: the forecast over {staffing.get('open_callbacks', 0):,} open "
            f"callbacks with {staffing.get('agents_on_duty')} agents on duty took "
            f"{staffing.get('compute_ms', 0):,} ms to compute (the Celery task, every minute and "
            "after each release; the board reads the stored row): "
            f"{staffing.get('will_miss', 0):,} would miss the target; "
            f"{staffing.get('agents_needed')} agents would call them all in time; "
            f"capacity bound {staffing.get('capacity_bound', 0):,}.",
        ]
    lines += [
        "",
        "Reproduce on a database of your own: `BENCH_DATABASE_NAME=console_bench_reports "
        "python -m benchmarks reports --customers 20000 --areas 2000` (`--scale 0.1` for a "
        "tenth of the callbacks, attempts and lookups; a second run reuses the generated rows).",
        "",
    ]
    return lines


def _scaleout_section(result):
    """One web server against two, and the release carried by a worker per queue."""
    shown = {
        k: result.get(k)
        for k in (
            "filing_per_second",
            "filing_two_to_one",
            "claim_per_second",
            "claim_two_to_one",
            "release_seconds",
            "duplicates",
            "caps_exceeded",
            "failed_requests",
            "met",
            "load_average_before_after",
        )
    }
    return [
        "## Scale-out: two web servers, a worker per queue",
        "",
        f"Compares {result.get('compares')} (`{result.get('command')}`).",
        "",
        "```json",
        json.dumps(shown, indent=2, sort_keys=True),
        "```",
        "",
        str(result.get("reading", "")),
        "",
    ]
