"""The callback workers under faults, with real workers on a real Redis: a worker killed in
the middle of a release, Redis stopped while agents file and an outage is restored, and the
same message delivered twice. Every check is a count in the database.

Each test starts its own ``redis-server`` on a free port (never the machine's shared one: it
is stopped and started again here) and runs workers as separate processes
(``celery -A console worker --pool=solo``) on the test database, as production does."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from kombu import pools

from callbacks import policy, services, tasks
from callbacks.models import CallbackEvent, CallbackRequest
from console.celery import app
from outages import services as outage_services
from tests.conftest import REQUIRE_SERVICES
from tests.factories import ServiceAreaFactory
from workload.services import RELEASE_STATEMENT_LABEL

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
LARGE_OUTAGE = 50_000


def _wait_until(condition, *, timeout, what):
    """Poll (the workers run in other processes) until ``condition()`` holds."""
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        pause.wait(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A private ``redis-server`` that a test may kill and start again on the same port."""

    def __init__(self, workdir):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until(self.answers, timeout=15, what="redis-server to start")

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=15)
        self.process = None

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)

    def answers(self):
        import redis

        try:
            return self.client().ping()
        except redis.RedisError:
            return False


@pytest.fixture
def own_redis(postgres_only, tmp_path):
    if shutil.which("redis-server") is None:
        if REQUIRE_SERVICES:
            pytest.fail("redis-server is needed for the fault tests")
        pytest.skip("needs redis-server")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.kill()


def _point_app_at(url):
    """Make this process publish to ``url``: the setting and the app's broker, with the
    connection pools the app caches dropped so the next publish connects afresh.

    The app's pool is kombu's process-wide pool for that broker URL: closing it alone would
    leave a closed pool registered, and every later publish to that URL (the suite's own
    broker, once the test points back at it) would fail with "Acquire on closed pool".
    ``kombu.pools.reset`` closes every pool and forgets them, so new ones are made."""
    app.conf.broker_url = url
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(own_redis, settings, monkeypatch):
    previous = app.conf.broker_url
    settings.CELERY_BROKER_URL = own_redis.url
    # Celery reads the environment variable before its configuration: override both.
    monkeypatch.setenv("CELERY_BROKER_URL", own_redis.url)
    _point_app_at(own_redis.url)
    yield own_redis
    monkeypatch.undo()
    _point_app_at(previous)


def _database_url():
    db = settings.DATABASES["default"]  # the test database at test time
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


class Workers:
    """Worker processes on the test database and the private broker."""

    def __init__(self, broker_url, logdir):
        self.broker_url = broker_url
        self.logdir = logdir
        self.processes = []

    def start(self):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "DJANGO_SETTINGS_MODULE": "tests.callbacks.worker_settings",
            "PYTHONPATH": str(ROOT),
        }
        log = open(self.logdir / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "console",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
                "-n",
                f"fault-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log = log
        self.processes.append(process)
        return process

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
            process.log.close()


@pytest.fixture
def workers(broker, transactional_db, tmp_path):
    """Committed rows (the workers read them on their own connections). Requested after the
    broker, so that without PostgreSQL the test is skipped before the database is touched."""
    pool = Workers(broker.url, tmp_path)
    yield pool
    pool.stop_all()


def _filer():
    return get_user_model().objects.get_or_create(username="filer")[0]


def _declared_outage(supervisor, now):
    area = ServiceAreaFactory()
    return outage_services.outage_declare(
        actor=supervisor, now=now, started_at=now, title="Core router failure", areas=[area]
    )


def _waiting_callbacks(outage, count, *, filed_at):
    filer = _filer()
    CallbackRequest.objects.bulk_create(
        (
            CallbackRequest(
                outage=outage,
                name=f"Customer {n}",
                phone=f"+1202{n:07d}",
                call_reason="No service",
                status=policy.WAITING,
                created_by=filer,
                created_at=filed_at,
                updated_at=filed_at,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )


def _release_events(outage):
    return CallbackEvent.objects.filter(
        callback__outage=outage, to_status=policy.QUEUED, reason=services.SYSTEM_RELEASE_REASON
    )


def _assert_released_exactly_once(outage, count, restored_at):
    callbacks = CallbackRequest.objects.filter(outage=outage)
    assert callbacks.count() == count
    assert not callbacks.filter(status=policy.WAITING).exists()
    assert callbacks.filter(released_at__isnull=False).count() == count
    assert set(callbacks.values_list("due_at", flat=True).distinct()) == {
        restored_at + settings.CALLBACK_TARGET
    }
    events = _release_events(outage)
    assert events.count() == count
    assert not events.values("callback").annotate(n=Count("id")).filter(n__gt=1).exists()


def _release_in_progress():
    """True while another connection is inside the release transaction, writing events or
    moving callbacks (the restoration's release and distribution is one labelled statement)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active' AND xact_start IS NOT NULL "
            "AND (query ILIKE 'INSERT INTO callbacks_callbackevent%%' "
            "OR query ILIKE 'UPDATE \"callbacks_callbackrequest\"%%' OR query LIKE %s)",
            [RELEASE_STATEMENT_LABEL + "%"],
        )
        return cursor.fetchone()[0] > 0


def _other_backends():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def test_a_worker_killed_mid_release_leaves_nothing_half_done_and_the_next_finishes(
    workers, supervisor
):
    started = datetime.now(UTC) - timedelta(hours=2)
    outage = _declared_outage(supervisor, started)
    _waiting_callbacks(outage, LARGE_OUTAGE, filed_at=started + timedelta(minutes=5))
    restored_at = datetime.now(UTC).replace(microsecond=0)
    # Restoring announces it on commit: the release message waits on the broker.
    outage_services.outage_restore(actor=supervisor, now=restored_at, outage=outage)

    first = workers.start()
    _wait_until(_release_in_progress, timeout=120, what="the release to start")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    # The killed worker's database session ends with its transaction rolled back.
    _wait_until(lambda: _other_backends() == 0, timeout=120, what="the killed session to end")
    assert CallbackRequest.objects.filter(status=policy.WAITING).count() == LARGE_OUTAGE
    assert not _release_events(outage).exists()

    # The message was never acknowledged: the next worker gets it again.
    workers.start()
    _wait_until(
        lambda: not CallbackRequest.objects.filter(status=policy.WAITING).exists(),
        timeout=180,
        what="the next worker to release the outage",
    )
    _wait_until(workers_done(workers), timeout=120, what="the broker to drain")
    _assert_released_exactly_once(outage, LARGE_OUTAGE, restored_at)


def workers_done(pool, *, settled=10):
    """The broker is drained (nothing queued, nothing unacknowledged) on ``settled``
    consecutive polls: a message being handed over is briefly in neither place."""
    import redis

    client = redis.Redis.from_url(pool.broker_url, socket_timeout=2)
    seen = []

    def drained():
        queued = sum(client.llen(queue.name) for queue in settings.CELERY_TASK_QUEUES)
        empty = queued == 0 and client.hlen("unacked") == 0
        seen.append(empty)
        return len(seen) >= settled and all(seen[-settled:])

    return drained


def test_redis_down_while_filing_and_restoring_then_the_sweep_releases_everything(
    workers, broker, supervisor, agent, agent2
):
    workers.start()
    declared = datetime.now(UTC) - timedelta(hours=1)
    outage = _declared_outage(supervisor, declared)
    broker.kill()

    def file(actor, n):
        filed = services.callback_file(
            actor=actor,
            now=datetime.now(UTC),
            outage=outage,
            name=f"Caller {n}",
            phone=f"+1303555{n:04d}",
            call_reason="No service",
            category="outage",
            subcategory="no_service",
        )
        return filed.callback

    before = [file(agent if n % 2 else agent2, n) for n in range(6)]
    assert {c.status for c in before} == {policy.WAITING}

    restored_at = datetime.now(UTC).replace(microsecond=0)
    # Committed for real: the announcement runs on commit and finds no broker.
    outage_services.outage_restore(actor=supervisor, now=restored_at, outage=outage)
    after = [file(agent, n) for n in range(6, 9)]  # filed after restoration: due from filing
    assert {c.status for c in after} == {policy.QUEUED}
    assert CallbackRequest.objects.count() == 9
    assert CallbackRequest.objects.filter(status=policy.WAITING).count() == 6

    broker.start()
    # What beat sends every minute.
    tasks.sweep.apply_async(retry=True, retry_policy={"max_retries": 20, "interval_start": 0.2})
    _wait_until(
        lambda: not CallbackRequest.objects.filter(status=policy.WAITING).exists(),
        timeout=120,
        what="the sweep to release the waiting callbacks",
    )
    for callback in before:
        callback.refresh_from_db()
        assert callback.status != policy.WAITING
        start = max(restored_at, callback.created_at)
        assert callback.due_at == start + settings.CALLBACK_TARGET
    assert _release_events(outage).count() == 6
    assert CallbackRequest.objects.count() == 9


def test_the_same_release_delivered_twice_changes_nothing_the_second_time(workers, supervisor):
    started = datetime.now(UTC) - timedelta(hours=2)
    outage = _declared_outage(supervisor, started)
    _waiting_callbacks(outage, 200, filed_at=started)
    restored_at = datetime.now(UTC).replace(microsecond=0)
    outage_services.outage_restore(actor=supervisor, now=restored_at, outage=outage)
    workers.start()
    _wait_until(
        lambda: not CallbackRequest.objects.filter(status=policy.WAITING).exists(),
        timeout=60,
        what="the first delivery",
    )
    _wait_until(workers_done(workers), timeout=60, what="the broker to drain")
    snapshot = list(
        CallbackRequest.objects.order_by("id").values_list(
            "id", "status", "due_at", "released_at", "updated_at"
        )
    )
    events = CallbackEvent.objects.count()

    task_id = str(uuid.uuid4())
    for _ in range(2):  # the same message, twice
        tasks.release_for_outage.apply_async(args=[outage.pk], task_id=task_id)
    tasks.sweep.apply_async(task_id=task_id + "-sweep")
    _wait_until(workers_done(workers), timeout=60, what="the deliveries to be processed")

    assert (
        list(
            CallbackRequest.objects.order_by("id").values_list(
                "id", "status", "due_at", "released_at", "updated_at"
            )
        )
        == snapshot
    )
    assert CallbackEvent.objects.count() == events
    _assert_released_exactly_once(outage, 200, restored_at)
