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

    def _spec_file(self, name, spec):
        spec.setdefault("duration", self.options.duration)
        if "ports" not in spec:  # a scenario with servers of its own names their ports
            spec["port"] = self.server.port
        path = DATA_DIR / f"load-{name}.json"
        path.write_text(json.dumps(spec))
        return path

    def drive(self, name, **spec):
        """Run the load generator (a second process) against the server; its figures."""
        path = self._spec_file(name, spec)
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.load", str(path)],
            cwd=BASE_DIR,
            check=True,
            capture_output=True,
            text=True,
            timeout=spec["duration"] + spec.get("warmup", 0) + 120,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    def drive_in_background(self, name, **spec):
        """Start a second load generator and return at once; ``finish()`` on the handle
        waits for it and returns its figures (a load that runs beside a measured one)."""
        path = self._spec_file(name, spec)
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.load", str(path)],
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        timeout = spec["duration"] + spec.get("warmup", 0) + 120

        def finish():
            out, err = process.communicate(timeout=timeout)
            if process.returncode:
                raise RuntimeError(f"the background load {name} failed: {err[-500:]}")
            return json.loads(out.strip().splitlines()[-1])

        return finish


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
