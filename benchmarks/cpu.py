"""Where a run's CPU went, read from ``/proc`` (Linux): the processes of each group (the web
servers, the workers, PostgreSQL's backends of the benchmark database) and the whole machine.
Throughput on a shared 2-core machine says little alone; CPU seconds per request and the share
of the machine each part took say what the figure was bound by."""

import os
import time
from pathlib import Path

PROC = Path("/proc")


def _ticks():
    try:
        return os.sysconf("SC_CLK_TCK")
    except (ValueError, OSError, AttributeError):
        return 100


def _stat(pid):
    """(parent pid, CPU seconds) of a process, or None when it is gone or unreadable."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    # After the name: state, ppid, ... utime is the 14th field of the line, stime the 15th.
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _ticks()


def process_seconds(pid):
    found = _stat(pid)
    return None if found is None else found[1]


def tree(pid):
    """A process and all its descendants (gunicorn's workers, Celery's pool)."""
    parents = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            found = _stat(entry.name)
            if found is not None:
                parents.setdefault(found[0], []).append(int(entry.name))
    pids, todo = set(), [pid]
    while todo:
        current = todo.pop()
        if current not in pids:
            pids.add(current)
            todo.extend(parents.get(current, ()))
    return pids


def machine_seconds():
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    try:
        first = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in first[:8]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / _ticks(), sum(values) / _ticks()


def database_backends():
    """PostgreSQL's backend processes serving the benchmark database (on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {row[0] for row in cursor.fetchall()}


class Meter:
    """CPU seconds per group between ``start()`` and ``stop()``. ``groups`` maps a name to a
    function returning the pids of that group now (asked at both ends: a process that started
    in between counts all its CPU; one that ends in between counts what ``sample()`` last saw
    of it, so call ``sample()`` often when processes come and go, e.g. the database backends
    of Celery tasks, which close their connection after each task)."""

    def __init__(self, groups):
        self.groups = groups

    def _snapshot(self):
        return {
            name: {pid: process_seconds(pid) for pid in find()}
            for name, find in self.groups.items()
        }

    def start(self):
        self.began = time.monotonic()
        self.machine_before = machine_seconds()
        self.before = self._snapshot()
        self.seen = {name: dict(pids) for name, pids in self.before.items()}
        return self

    def sample(self):
        """Remember every process's CPU now (those that end before ``stop()`` still count)."""
        for name, pids in self._snapshot().items():
            for pid, seconds in pids.items():
                if seconds is not None:
                    self.seen[name][pid] = seconds

    def stop(self, *, extra=None):
        """Figures: wall seconds, each group's CPU seconds, the machine's busy CPU seconds and
        what nobody here used (``other``: Redis, the kernel, other work on the machine).
        ``extra``: CPU seconds measured elsewhere (the load generator's own count)."""
        self.sample()
        after = self.seen
        wall = time.monotonic() - self.began
        machine_after = machine_seconds()
        figures = {"wall_seconds": round(wall, 3), "cores": os.cpu_count()}
        accounted = 0.0
        for name, pids in after.items():
            before = self.before.get(name, {})
            spent = sum(
                (now or 0) - (before.get(pid) or 0) for pid, now in pids.items() if now is not None
            )
            figures[f"{name}_cpu_seconds"] = round(spent, 2)
            accounted += spent
        for name, seconds in (extra or {}).items():
            figures[f"{name}_cpu_seconds"] = round(seconds, 2)
            accounted += seconds
        if self.machine_before and machine_after:
            busy = machine_after[0] - self.machine_before[0]
            total = machine_after[1] - self.machine_before[1]
            figures["machine_busy_cpu_seconds"] = round(busy, 2)
            figures["machine_busy_share"] = round(busy / total, 3) if total else None
            figures["other_cpu_seconds"] = round(max(0.0, busy - accounted), 2)
        return figures
