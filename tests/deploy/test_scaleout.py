"""Scale-out on one machine, as production would run it on several: two web processes (each a
gunicorn of its own on its own port, started by ``docker/entrypoint.sh web``) and three Celery
workers, one per queue (``entrypoint.sh worker callbacks|workload|notifications``, as
docker-compose.yml runs them), on one PostgreSQL and one Redis, with the production settings.

Exactly once, counted in the database's events:

- a supervisor restores an outage through one web process while the release and the
  distribution are also sent again (a redelivery, the minute sweep) and run on workers with two
  task processes each: every callback is released once and distributed once, no agent above
  their cap;
- agents claim through both web processes at once, each alternating between them with a
  session made elsewhere: no callback goes to two agents, no agent goes above their cap, and
  the queue is emptied.

Only with PostgreSQL and Redis (CI sets ``REQUIRE_SERVICES=1``, and then it must run)."""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone

from callbacks import policy
from callbacks.models import AgentDuty, CallbackEvent, CallbackRequest
from console.celery import app
from core import roles
from tests.conftest import REQUIRE_SERVICES
from tests.factories import CallbackFactory, OutageFactory, ServiceAreaFactory

from .test_production_smoke import ENTRYPOINT, HOST, Browser, _free_port, _stop, _wait_until

pytestmark = [pytest.mark.production, pytest.mark.worker]

QUEUES = ("callbacks", "workload", "notifications")
WAITING = 120  # callbacks on the restored outage
ON_DUTY, DUTY_CAP = 2, 30  # the distribution fills them: 60 assigned, 60 left queued
# Off duty, claiming: room for exactly the 60 left, and more claims than that, so every
# claimer reaches the cap and the queue empties.
CLAIMERS, CLAIM_CAP, CLAIMS_EACH = 6, 10, 12
START_TIMEOUT = 90
SETTLE_TIMEOUT = 60


class Processes:
    """The two web processes and three workers, with what they log, torn down by PID."""

    def __init__(self, workdir, secret_key):
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        self.workdir = workdir
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST", "DJANGO_", "PROMETHEUS_"))
        }
        self.env.update(
            {
                "PYTHON": sys.executable,
                "DJANGO_SETTINGS_MODULE": "console.settings",
                # The test database: rows this test commits are what the processes read.
                "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}",
                "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
                # The sessions this test makes are signed with the same key.
                "SECRET_KEY": secret_key,
                "DEBUG": "false",
                "ALLOWED_HOSTS": HOST,
                "HTTPS_ONLY": "true",
                "STATIC_ROOT": str(workdir / "static"),
                "WEB_CONCURRENCY": "1",
                "GUNICORN_THREADS": "4",
                "WORKER_CONCURRENCY": "2",
                "CALLBACK_CALLING_OPENS": "00:00",
                "CALLBACK_CALLING_CLOSES": "24:00",
                "NOTIFY_SMS_LOG_FILE": str(workdir / "sms.log"),
                "LOG_LEVEL": "WARNING",
            }
        )
        for key in ("LOG_FORMAT", "REQUIRE_SERVICES"):
            self.env.pop(key, None)
        self.running = {}
        self.ports = []

    def start(self, name, *args, **extra):
        log = (self.workdir / f"{name}.log").open("wb")
        self.running[name] = subprocess.Popen(
            [str(ENTRYPOINT), *args],
            env=self.env | extra,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def start_all(self):
        for index in (1, 2):
            port = _free_port()
            self.ports.append(port)
            self.start(
                f"web{index}",
                "web",
                PORT=str(port),
                # Each gunicorn empties its own metrics folder at start.
                PROMETHEUS_MULTIPROC_DIR=str(self.workdir / f"prometheus{index}"),
            )
        for queue in QUEUES:
            self.start(queue, "worker", queue)

    def tail(self, name):
        return (self.workdir / f"{name}.log").read_text()[-3000:]

    def check_alive(self):
        for name, process in self.running.items():
            assert process.poll() is None, (name, self.tail(name))

    def stop(self):
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                if process.poll() is None:
                    os.kill(process.pid, signal.SIGTERM)
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                _stop(process)


def _purge():
    with app.connection_for_write() as conn:
        for queue in QUEUES:
            conn.default_channel.queue_purge(queue)


def _broker_idle():
    """Nothing waiting in the queues and nothing taken but unacknowledged (acks_late)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return not any(client.llen(queue) for queue in QUEUES) and not client.hlen("unacked")


def _session_browser(user, port):
    """A browser holding a session made outside both web processes (sessions live in the
    database) and a CSRF secret of its own (the cookie and the form field agree)."""
    client = Client()
    client.force_login(user)
    browser = Browser(port)
    browser.cookies["sessionid"] = client.cookies["sessionid"].value
    browser.cookies["csrftoken"] = secrets.token_hex(16)  # 32 characters, as Django's secret
    return browser


@pytest.fixture
def scaled_out(transactional_db, postgres_only, tmp_path, settings):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        if REQUIRE_SERVICES:
            pytest.fail("The scale-out test needs a Redis broker")
        pytest.skip("needs a Redis broker (CELERY_BROKER_URL)")
    app.loader.import_default_modules()
    _purge()
    # Production refuses the suite's development key: a generated one, shared with the
    # sessions this test makes (signed in this process, read by both web processes).
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    processes = Processes(tmp_path, settings.SECRET_KEY)
    try:
        processes.start_all()
        names = {f"{queue}@{socket.gethostname()}" for queue in QUEUES}

        def up():
            processes.check_alive()
            for port in processes.ports:
                with contextlib.suppress(OSError):
                    if Browser(port).get("/healthz")[0].status != 200:
                        return False
                    continue
                return False
            replies = app.control.ping(destination=sorted(names), timeout=1.0)
            return names <= {name for reply in replies for name in reply}

        _wait_until(up, timeout=START_TIMEOUT, what="two web processes and three workers")
        yield processes
    finally:
        processes.stop()
        _purge()


def _agent(django_user_model, username):
    """An agent who only ever logs in by a session made here: no password to hash."""
    agent = django_user_model.objects.create(username=username, password="!")
    agent.groups.add(Group.objects.get_or_create(name=roles.AGENT)[0])
    return agent


def _once_per_callback(outage, to_status):
    """How many callbacks have ``to_status`` events, and how many such events there are."""
    events = CallbackEvent.objects.filter(callback__outage=outage, to_status=to_status)
    return events.values("callback").distinct().count(), events.count()


def _holding(agents):
    return {
        agent.username: CallbackRequest.objects.filter(
            assigned_to=agent, status__in=policy.WORKABLE_STATUSES
        ).count()
        for agent in agents
    }


def test_two_web_processes_and_a_worker_per_queue_release_distribute_and_claim_once(
    scaled_out, django_user_model, supervisor
):
    web_a, web_b = scaled_out.ports
    area = ServiceAreaFactory()
    outage = OutageFactory(areas=[area])
    CallbackRequest.objects.bulk_create(CallbackFactory.build_batch(WAITING, outage=outage))
    now = timezone.now()
    on_duty = [_agent(django_user_model, f"duty{n}") for n in range(ON_DUTY)]
    claimers = [_agent(django_user_model, f"claimer{n}") for n in range(CLAIMERS)]
    AgentDuty.objects.bulk_create(
        [AgentDuty(agent=a, on_duty=True, cap=DUTY_CAP, changed_at=now) for a in on_duty]
        + [AgentDuty(agent=a, on_duty=False, cap=CLAIM_CAP, changed_at=now) for a in claimers]
    )

    # The supervisor restores through the first web process; at the same moment the release
    # and the distribution are sent again, as a redelivered message or the minute sweep would.
    browser = _session_browser(supervisor, web_a)
    response, _ = browser.post(f"/outages/{outage.pk}/restore/", {"message": ""})
    assert response.status == 302
    for _ in range(3):
        app.send_task("callbacks.tasks.release_for_outage", args=[outage.pk])
        app.send_task("workload.tasks.distribute")

    seen = {}

    def settled():
        scaled_out.check_alive()
        mine = CallbackRequest.objects.filter(outage=outage)
        seen["waiting"] = mine.filter(status=policy.WAITING).count()
        seen["assigned"] = mine.exclude(assigned_to=None).count()
        seen["broker_idle"] = _broker_idle()
        return seen == {"waiting": 0, "assigned": ON_DUTY * DUTY_CAP, "broker_idle": True}

    try:
        _wait_until(settled, timeout=SETTLE_TIMEOUT, what="the workers to release and distribute")
    except AssertionError as timed_out:
        logs = {name: scaled_out.tail(name) for name in ("callbacks", "workload")}
        raise AssertionError((str(timed_out), seen, logs)) from None

    assert _once_per_callback(outage, policy.QUEUED) == (WAITING, WAITING)
    assert _once_per_callback(outage, policy.ASSIGNED) == (
        ON_DUTY * DUTY_CAP,
        ON_DUTY * DUTY_CAP,
    )
    assert set(_holding(on_duty).values()) == {DUTY_CAP}
    left = WAITING - ON_DUTY * DUTY_CAP
    assert CallbackRequest.objects.filter(outage=outage, assigned_to=None).count() == left

    # Agents claim through both web processes at once, each alternating between them.
    barrier = threading.Barrier(CLAIMERS)

    def browsers_for(agent):
        browsers = [_session_browser(agent, port) for port in (web_a, web_b)]
        for browser in browsers[1:]:
            browser.cookies = browsers[0].cookies  # one session and CSRF secret on both
        return browsers

    def claim_all(browsers):
        barrier.wait()
        statuses = []
        for turn in range(CLAIMS_EACH):
            response, _ = browsers[turn % 2].post("/workload/mine/claim/", {})
            statuses.append(response.status)
        return statuses

    with ThreadPoolExecutor(CLAIMERS) as pool:
        everyone = [browsers_for(agent) for agent in claimers]  # sessions made here, not there
        statuses = [s for agent_statuses in pool.map(claim_all, everyone) for s in agent_statuses]
    assert set(statuses) == {302}, statuses  # claimed, refused at the cap, or nothing left

    assert not CallbackRequest.objects.filter(outage=outage, assigned_to=None).exists()
    assert _once_per_callback(outage, policy.ASSIGNED) == (WAITING, WAITING)
    assert set(_holding(claimers).values()) == {CLAIM_CAP}  # reached, never passed
    assert set(_holding(on_duty).values()) == {DUTY_CAP}
    claimed_events = CallbackEvent.objects.filter(
        callback__outage=outage, to_status=policy.ASSIGNED, reason__startswith="Claimed"
    )
    assert claimed_events.count() == left
