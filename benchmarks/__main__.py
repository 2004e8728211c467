"""``python -m benchmarks SCENARIO``: ``all``, one of ``SCENARIOS`` below, or ``report``.

Each scenario prints its JSON object as the last line; ``all`` prints the whole results object.
Both update ``benchmarks/results.json`` and ``benchmarks/RESULTS.md``."""

import argparse
import json
import shlex
import sys
import time

from . import environment

SCENARIOS = (
    "lookup",
    "filing",
    "release",
    "claim",
    "import",
    "reports",
    "ivr",
    "statuspage",
    "scaleout",
    "live",
)


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "scenario",
        choices=("all", *SCENARIOS, "report"),
        help="report: only rewrite RESULTS.md from results.json (and ANALYSIS.md)",
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--areas", type=int, default=20_000)
    parser.add_argument("--outages", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--duration", type=float, default=6.0, help="Seconds per measured load run."
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="Multiply the scenario sizes (release, claim, reports) by this (for quick trials).",
    )
    return parser.parse_args(argv)


def log(message):
    stamp = time.strftime("%H:%M:%S", time.gmtime())
    print(f"[bench {stamp} UTC] {message}", file=sys.stderr, flush=True)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    options = parse(argv)
    if options.scenario == "report":
        from . import report

        report.TABLE.write_text(report.markdown(report.load()))
        return 0
    try:
        environment.check_services()
    except environment.ServiceMissing as missing:
        print(missing.message, file=sys.stderr)
        return 2
    environment.configure()

    from . import dataset, report, run

    sizes = dataset.Sizes(
        customers=options.customers, areas=options.areas, outages=options.outages, seed=options.seed
    )
    started = time.monotonic()
    people = dataset.prepare(sizes, log)
    names = SCENARIOS if options.scenario == "all" else (options.scenario,)
    command = "python -m benchmarks " + shlex.join(argv)
    if options.scenario == "all" and argv == ["all"]:
        command = "make bench (.venv/bin/python -m benchmarks all)"
    results = {}
    for name in names:
        log(f"Scenario {name}")
        results[name] = run.scenario(
            name, sizes=sizes, people=people, options=options, log=log, command=command
        )
        print(json.dumps(results[name]), flush=True)
    report.write(results, command=command, total_seconds=time.monotonic() - started)
    log(
        f"Done in {time.monotonic() - started:.0f} s: "
        "benchmarks/results.json, benchmarks/RESULTS.md"
    )
    if options.scenario == "all":
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
