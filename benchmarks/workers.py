"""Celery workers for the scale-out scenario: one separate process per queue, started as
production starts them (``docker/entrypoint.sh worker QUEUE``, what docker-compose.yml runs for
``worker-callbacks``, ``worker-workload`` and ``worker-notifications``), on the benchmark
database and broker. No beat: the restoration's own events carry the work, so the figure is the
event path's, not the minute sweep's."""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass

from .environment import BASE_DIR, DATA_DIR, server_environment

QUEUES = ("callbacks", "workload", "notifications")
ENTRYPOINT = BASE_DIR / "docker" / "entrypoint.sh"
CONCURRENCY = 2  # task processes per worker, as WORKER_CONCURRENCY in production
STARTUP_SECONDS = 60


@dataclass
class Worker:
    queue: str
    process: subprocess.Popen

    @property
    def name(self):
        # entrypoint.sh names each worker after its first queue: QUEUE@host
        return f"{self.queue}@{socket.gethostname()}"


def _wait_until_answering(workers):
    """Every worker answers a ping through the broker (each consumes its queue by then)."""
    from console.celery import app

    wanted = {worker.name for worker in workers}
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        for worker in workers:
            if worker.process.poll() is not None:
                raise RuntimeError(f"the {worker.queue} worker exited; see data/workers.log")
        replies = app.control.ping(destination=sorted(wanted), timeout=1.0)
        if wanted <= {name for reply in replies for name in reply}:
            return
    raise RuntimeError(f"the workers did not answer within {STARTUP_SECONDS} s")


def _stop(process):
    """Warm shutdown (SIGTERM: tasks in hand finish), then the process group if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def running_workers(queues=QUEUES, *, concurrency=CONCURRENCY):
    """One worker process per queue; yields them once all answer."""
    env = server_environment() | {
        "PYTHON": sys.executable,
        "WORKER_CONCURRENCY": str(concurrency),
        "LOG_FORMAT": "text",
        # Messages to customers go to a file, not to a provider.
        "NOTIFY_SMS_PROVIDER": "log",
        "NOTIFY_SMS_LOG_FILE": str(DATA_DIR / "sms.log"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    log = open(DATA_DIR / "workers.log", "ab")  # noqa: SIM115 - closed below
    workers = []
    try:
        for queue in queues:
            process = subprocess.Popen(
                [str(ENTRYPOINT), "worker", queue],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: the pool goes with it
            )
            workers.append(Worker(queue=queue, process=process))
        _wait_until_answering(workers)
        yield workers
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.terminate()  # all at once: each shuts down in parallel
        for worker in workers:
            _stop(worker.process)
        log.close()
