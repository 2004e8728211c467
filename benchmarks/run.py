"""Running one scenario: its module, the server when it needs one, the load generator."""

import importlib
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime

from .environment import BASE_DIR, DATA_DIR

MODULES = {
    "lookup": "benchmarks.scenarios.lookup",
    "filing": "benchmarks.scenarios.filing",
    "release": "benchmarks.scenarios.release",
    "claim": "benchmarks.scenarios.claim",
    "import": "benchmarks.scenarios.importing",
    "reports": "benchmarks.scenarios.reports",
    "ivr": "benchmarks.scenarios.ivr",
    "statuspage": "benchmarks.scenarios.statuspage",
    "scaleout": "benchmarks.scenarios.scaleout",
    "live": "benchmarks.scenarios.live",
}


class Context:
    """What a scenario gets: sizes, people, options, a logger and (for HTTP) the load driver."""

    def __init__(self, *, sizes, people, options, log):
        self.sizes = sizes
        self.people = people
        self.options = options
        self.log = log
        self.server = None

    def drive(self, name, **spec):
        """Run the load generator (a second process) against the server; its figures."""
        spec.setdefault("duration", self.options.duration)
        if "ports" not in spec:  # a scenario with servers of its own names their ports
            spec["port"] = self.server.port
        path = DATA_DIR / f"load-{name}.json"
        path.write_text(json.dumps(spec))
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.load", str(path)],
            cwd=BASE_DIR,
            check=True,
            capture_output=True,
            text=True,
            timeout=spec["duration"] + spec.get("warmup", 0) + 120,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])


def _load_average():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def scenario(name, *, sizes, people, options, log, command):
    module = importlib.import_module(MODULES[name])
    context = Context(sizes=sizes, people=people, options=options, log=log)
    started = time.monotonic()
    load_before = _load_average()
    if getattr(module, "NEEDS_SERVER", False):
        from .server import running_server

        with running_server() as server:
            context.server = server
            result = module.run(context)
        result.setdefault("parameters", {})["server"] = server.config
    else:
        result = module.run(context)
    result.setdefault("parameters", {}).update(sizes.as_dict())
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    # Other work on the machine skews every figure: say how busy it was.
    result["load_average_before_after"] = [load_before, _load_average()]
    result["scenario_seconds"] = round(time.monotonic() - started, 1)
    result["command"] = command
    return result
