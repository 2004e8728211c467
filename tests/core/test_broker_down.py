"""Filing and restoring with the broker down cost no more than with it up (issue 13, row 14).

The only broker work on those paths is ``core.tasking`` sending on commit: a filing's "work
is due" event reaches workload's subscriber, which sends the distribution by name. Each case
runs in a fresh process, as a web worker would, pointed at the real Redis or at a port where
nothing speaks Redis: the first publish fails once, and later ones skip the broker until
``BROKER_RETRY_SECONDS`` pass (the sweep does the work). Counted, and timed against a
generous bound (the issue asks for "within 20%")."""

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings

from console.celery import app

BASE_DIR = Path(__file__).resolve().parents[2]
SENDS = 20
SCRIPT = f"""
import json, time
import django
django.setup()
from callbacks import events
from core.tasking import send_by_name
# A filing after restoration announces due work; workload's subscriber sends the distribution.
events.announce_work_due()  # the first publish of the process: connects (or fails once)
started = time.perf_counter()
sent = sum(bool(send_by_name("workload.tasks.distribute")) for _ in range({SENDS}))
print(json.dumps({{"seconds": time.perf_counter() - started, "sent": sent}}))
"""


def _run(broker_url):
    env = {**os.environ, "CELERY_BROKER_URL": broker_url, "DEBUG": "true"}
    env["DJANGO_SETTINGS_MODULE"] = "console.settings"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


class _NotRedis:
    """A port that accepts connections and closes them at once, counting them."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self):
        self.sock.close()


@pytest.fixture
def not_redis():
    server = _NotRedis()
    yield server
    server.close()


def test_row14_a_down_broker_is_tried_once_then_skipped_and_costs_no_more_than_an_up_one(
    not_redis,
):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("compares with a real Redis broker (set CELERY_BROKER_URL)")
    down = _run(f"redis://127.0.0.1:{not_redis.port}/0")
    up = _run(settings.CELERY_BROKER_URL)
    _purge()
    assert down["sent"] == 0 and up["sent"] == SENDS
    # One failed publish for the whole process (redis-py may retry its connect once).
    assert not_redis.accepted <= 2
    assert down["seconds"] <= up["seconds"] * 1.2 + 0.01, (down, up)


def _purge():
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
