"""The server under test: gunicorn on 127.0.0.1 with a free port, as in production (DEBUG off,
static files collected, persistent database connections), plus the floor view."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass

from .environment import BASE_DIR, DATA_DIR, server_environment

# A busy machine starts four workers slowly; a server that never answers still fails the run.
STARTUP_SECONDS = int(os.environ.get("BENCH_STARTUP_SECONDS", 90))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_config():
    """Workers for this machine: two per core, each with a few threads (keep-alive)."""
    cores = os.cpu_count() or 1
    return {
        "workers": int(os.environ.get("BENCH_WORKERS", 2 * cores)),
        "threads": int(os.environ.get("BENCH_THREADS", 4)),
        "worker_class": "gthread",
    }


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    config: dict

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def _wait_until_up(server):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}; see its log")
        try:
            with urllib.request.urlopen(server.url("/healthz"), timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_SECONDS} s")


def _command(port, config):
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "console.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(config["workers"]),
        "--threads",
        str(config["threads"]),
        "--worker-class",
        config["worker_class"],
        "--keep-alive",
        "30",
        "--backlog",
        "512",
        "--log-level",
        "warning",
    ]


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_servers(count=1):
    """``count`` separate gunicorn servers, each on its own port with the whole per-server
    config (as separate machines behind a load balancer would run them)."""
    config = gunicorn_config()
    log = open(DATA_DIR / "gunicorn.log", "ab")  # noqa: SIM115 - closed below
    servers = []
    try:
        for _ in range(count):
            port = free_port()
            command = _command(port, config)
            process = subprocess.Popen(
                command, cwd=BASE_DIR, env=server_environment(), stdout=log, stderr=log
            )
            servers.append(
                Server(
                    port=port, process=process, config=config | {"command": " ".join(command[2:])}
                )
            )
        for server in servers:
            _wait_until_up(server)
        yield servers
    finally:
        for server in servers:
            _stop(server.process)
        log.close()


@contextmanager
def running_server():
    with running_servers(1) as (server,):
        yield server
