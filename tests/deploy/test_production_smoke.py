"""The production path, run as production runs it: ``docker/entrypoint.sh`` (what the image
and docker-compose.yml run) starts gunicorn, a Celery worker and Celery beat as separate
processes with the README's production settings (``DEBUG=false``, a generated ``SECRET_KEY``,
``ALLOWED_HOSTS`` naming only the public host, ``HTTPS_ONLY`` behind a proxy that sends
``X-Forwarded-Proto``), on a PostgreSQL database of its own and a Redis server of its own.

Then, over HTTP as a browser behind the proxy would: the health check answers, static files
come hashed and compressed, an agent logs in and files a callback, a supervisor restores the
outage, and the worker process releases the callback with its 8-hour deadline; every log line
of the three processes is one JSON object, with request id, user and task id where they apply;
/metrics answers the token and refuses without it. Everything is torn down by PID.

Only with PostgreSQL and Redis (CI sets ``REQUIRE_SERVICES=1``, and then it must run)."""

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from django.conf import settings

from tests.conftest import REQUIRE_SERVICES

pytestmark = pytest.mark.production

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
HOST = "console.example.test"
PASSWORD = "smoke-Test-pass-7391"
PROCESS_START_TIMEOUT = 60
RELEASE_TIMEOUT = 60

SEED = """
import json
from django.contrib.auth.models import Group, User
from django.utils import timezone
from core import roles
from outages import services
from outages.models import Customer, ServiceArea
now = timezone.now()
users = {}
for username, role in (("smoke-agent", roles.AGENT), ("smoke-supervisor", roles.SUPERVISOR)):
    user = User.objects.create_user(username, password=%(password)r, first_name=username)
    user.groups.add(Group.objects.get(name=role))
    users[role] = user
area = ServiceArea.objects.create(code="SMK-1", name="Smoke Hill", region="North")
customer = Customer.objects.create(
    account_number="SMK000001", name="Ada Smoke", phone="+12025550199",
    address="1 Smoke Road", postal_code="20001", area=area,
)
outage = services.outage_declare(
    actor=users[roles.SUPERVISOR], now=now, title="Fibre cut at Smoke Hill", areas=[area],
)
print(json.dumps({"outage": outage.pk, "customer": customer.pk}))
"""


def _wait_until(condition, *, timeout, what):
    """Poll a condition (the processes under test run on their own) for at most ``timeout``."""
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        pause.wait(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Just enough of a browser behind the TLS proxy: the public Host, X-Forwarded-Proto,
    the Origin of the public site, and cookies (Secure ones included: the proxy speaks TLS)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.set_cookie_headers = []

    def request(self, method, path, *, data=None, headers=None, host=HOST):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {
            "Host": host,
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "gzip, br",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"https://{HOST}"
            sent["Referer"] = f"https://{HOST}{path}"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        return self.request("POST", path, data=data, **kwargs)

    def login(self, username):
        response, _ = self.get("/accounts/login/")
        assert response.status == 200
        response, _ = self.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert response.status == 302, response.status
        assert "sessionid" in self.cookies


class OwnRedis:
    """A private redis-server on a free port: no other run's worker can take this run's
    messages, and nothing is left in the machine's shared Redis."""

    def __init__(self, workdir):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def answers(self):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def stop(self):
        _stop(self.process)


def _stop(process, timeout=20):
    """Tear down by PID: SIGTERM (gunicorn and Celery shut down warmly), then SIGKILL."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


def _database_params():
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": int(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
    }


def _database_url(name):
    p = _database_params()
    auth = p["user"] + (f":{p['password']}" if p["password"] else "")
    return f"postgres://{auth}@{p['host']}:{p['port']}/{name}"


def _admin_connection():
    return psycopg.connect(dbname="postgres", autocommit=True, **_database_params())


@pytest.fixture(scope="module")
def services_available():
    if not settings.IS_POSTGRES or shutil.which("redis-server") is None:
        if REQUIRE_SERVICES:
            pytest.fail("The production smoke test needs PostgreSQL and redis-server")
        pytest.skip("needs PostgreSQL (DATABASE_URL) and redis-server")


@pytest.fixture(scope="module")
def smoke_database(services_available):
    name = f"console_deploy_smoke_{secrets.token_hex(4)}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Stack:
    def __init__(self, workdir, database, redis_url):
        self.workdir = workdir
        self.database = database
        self.port = _free_port()
        self.metrics_token = secrets.token_urlsafe(24)
        self.processes = {}
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST", "DJANGO_", "PROMETHEUS_"))
        }
        self.env.update(
            {
                "PYTHON": sys.executable,
                "DJANGO_SETTINGS_MODULE": "console.settings",
                "DATABASE_URL": _database_url(database),
                "CELERY_BROKER_URL": redis_url,
                "SECRET_KEY": secrets.token_urlsafe(50),
                "DEBUG": "false",
                "ALLOWED_HOSTS": HOST,
                "HTTPS_ONLY": "true",
                "STATIC_ROOT": str(workdir / "static"),
                "CELERY_BEAT_SCHEDULE_FILENAME": str(workdir / "celerybeat-schedule"),
                "PROMETHEUS_MULTIPROC_DIR": str(workdir / "prometheus"),
                "METRICS_TOKEN": self.metrics_token,
                "PORT": str(self.port),
                "WEB_CONCURRENCY": "2",
                "WORKER_CONCURRENCY": "1",
            }
        )
        for key in ("LOG_FORMAT", "LOG_LEVEL", "REQUIRE_SERVICES"):
            self.env.pop(key, None)

    def launch(self, *args):
        return subprocess.Popen(
            [str(ENTRYPOINT), *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(self, process, timeout=120):
        stdout, stderr = process.communicate(timeout=timeout)
        assert process.returncode == 0, (process.args, stdout[-3000:], stderr[-3000:])
        return stdout

    def run(self, *args, timeout=120):
        return subprocess.CompletedProcess(args, 0, self.finish(self.launch(*args), timeout))

    def start(self, role, *args):
        log = (self.workdir / f"{role}.log").open("wb")
        self.processes[role] = subprocess.Popen(
            [str(ENTRYPOINT), role, *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def log_lines(self, role):
        return (self.workdir / f"{role}.log").read_text().splitlines()

    def query(self, sql, params=()):
        with psycopg.connect(dbname=self.database, **_database_params()) as conn:
            return conn.execute(sql, params).fetchall()

    def stop(self):
        """SIGTERM to every process at once (each shuts down in parallel), then wait."""
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                if process.poll() is None:
                    os.kill(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                _stop(process)


@pytest.fixture(scope="module")
def stack(smoke_database, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("production")
    redis_server = OwnRedis(workdir)
    running = Stack(workdir, smoke_database, redis_server.url)
    try:
        _wait_until(redis_server.answers, timeout=15, what="redis-server")
        # What the image build (collectstatic) and the compose file's migrate service run,
        # side by side; then the three processes start while the test data is seeded.
        collect = running.launch("manage", "collectstatic", "--noinput", "-v", "0")
        running.run("migrate")
        running.finish(collect)
        running.start("web")
        running.start("worker", "callbacks,workload,notifications")
        running.start("beat")
        seeded = running.run("manage", "shell", "-v", "0", "-c", SEED % {"password": PASSWORD})
        running.seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        browser = Browser(running.port)

        def web_answers():
            for role, process in running.processes.items():
                assert process.poll() is None, (role, running.log_lines(role)[-20:])
            with contextlib.suppress(OSError):
                return browser.get("/healthz")[0].status == 200
            return False

        _wait_until(web_answers, timeout=PROCESS_START_TIMEOUT, what="gunicorn to answer")
        yield running
    finally:
        running.stop()
        redis_server.stop()
    for process in running.processes.values():
        assert process.poll() is not None  # every process is gone


def test_production_path(stack):
    # Health: through the entrypoint's own check (what Docker runs), and refused for a Host
    # that ALLOWED_HOSTS does not name: host validation is on, and 127.0.0.1 is not in it.
    stack.run("healthcheck")
    anonymous = Browser(stack.port)
    response, body = anonymous.get("/healthz")
    assert (response.status, body) == (200, b"ok")
    assert anonymous.get("/healthz", host="127.0.0.1")[0].status == 400
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])

    # Static files: hashed names in the pages, served compressed and cached for ever.
    response, page = anonymous.get("/accounts/login/")
    assert response.status == 200
    css = re.search(rb'href="(/static/css/console\.[0-9a-f]{12}\.css)"', page)
    assert css, "the login page links the hashed stylesheet"
    response, _ = anonymous.get(css.group(1).decode())
    assert response.status == 200
    assert response.headers["Content-Encoding"] in ("gzip", "br")
    assert "immutable" in response.headers["Cache-Control"]
    assert anonymous.get("/static/css/console.css")[0].status == 200  # the unhashed name too

    # An agent logs in (the session cookie is Secure: HTTPS_ONLY behind the proxy) and files
    # a callback for the customer on the live call.
    agent = Browser(stack.port)
    agent.login("smoke-agent")
    assert any(
        h.startswith("sessionid=") and "Secure" in h and "HttpOnly" in h
        for h in agent.set_cookie_headers
    )
    response, body = agent.post(
        "/call/callback/",
        {
            "outage": stack.seed["outage"],
            "customer": stack.seed["customer"],
            "path": "outage",
            "name": "Ada Smoke",
            "phone": "+1 202 555 0199",
            "call_reason": "No service since the morning",
            "category": "outage",
            "subcategory": "no_service",
            "preferred_window": "any",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status == 200, body[:2000]
    filing_request_id = response.headers["X-Request-ID"]
    [(callback_id, status)] = stack.query("SELECT id, status FROM callbacks_callbackrequest")
    assert status == "waiting"

    # A supervisor restores the outage; the worker process releases the callback.
    supervisor = Browser(stack.port)
    supervisor.login("smoke-supervisor")
    response, _ = supervisor.post(f"/outages/{stack.seed['outage']}/restore/", {"message": ""})
    assert response.status == 302
    restore_request_id = response.headers["X-Request-ID"]

    def released():
        rows = stack.query(
            "SELECT c.status, c.due_at, o.restored_at FROM callbacks_callbackrequest c "
            "JOIN outages_outage o ON o.id = c.outage_id WHERE c.id = %s",
            (callback_id,),
        )
        return rows[0] if rows[0][0] != "waiting" else None

    status, due_at, restored_at = _wait_until(
        released, timeout=RELEASE_TIMEOUT, what="the worker to release the callback"
    )
    assert status in ("queued", "assigned")
    assert due_at == restored_at + timedelta(hours=8)

    # Metrics: refused without the token; with it, request latency and the product's gauges.
    assert anonymous.get("/metrics")[0].status == 403
    bearer = {"Authorization": f"Bearer {stack.metrics_token}"}

    def scraped_after_release():
        # The worker records a task's success just after the task returns: poll for it.
        response, body = anonymous.get("/metrics", headers=bearer)
        assert response.status == 200, "\n".join(stack.log_lines("web")[-20:])
        text = body.decode()
        marker = 'console_celery_task_last_success_timestamp_seconds{task="callbacks.tasks.'
        return text if marker in text else None

    text = _wait_until(scraped_after_release, timeout=30, what="the release's success metric")
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    assert re.search(r'^console_callbacks\{status="(queued|assigned)"\} 1\.0$', text, re.M)
    assert re.search(r'^console_celery_queue_length\{queue="callbacks"\} \d', text, re.M)

    # Logs: every line of every process is one JSON object; requests carry their id and user,
    # the worker's lines the task id.
    entries = {}
    for role in ("web", "worker", "beat"):
        lines = stack.log_lines(role)
        assert lines, f"{role} logged nothing"
        entries[role] = []
        for line in lines:
            entry = json.loads(line)
            assert isinstance(entry, dict), line
            assert {"time", "level", "logger", "message"} <= entry.keys(), line
            entries[role].append(entry)
    filing = [e for e in entries["web"] if e.get("request_id") == filing_request_id]
    assert filing and filing[-1]["user"] == "smoke-agent" and filing[-1]["status"] == 200
    # The release ran in the worker process, and its lines name the supervisor's request.
    release = [
        e for e in entries["worker"] if e.get("task") == "workload.tasks.release_and_distribute"
    ]
    assert release and all(e["task_id"] for e in release)
    assert {(e["request_id"], e["user"]) for e in release} == {
        (restore_request_id, "smoke-supervisor")
    }
    assert {e["process"] for e in release}.isdisjoint({e["process"] for e in entries["web"]})
    assert any(e["logger"] == "celery.beat" for e in entries["beat"])


def test_the_events_process_answers_the_ivr_as_web_does(stack):
    """The events process (``entrypoint.sh events``, uvicorn) behind the same proxy answers
    ``GET /api/v1/ivr/status`` on its fast path with web's answers: status, body and the
    headers that matter, for a caller under the outage, a bad number and a wrong key; and it
    logs each as web does (one JSON line with the request id)."""
    events_port = _free_port()
    stack.env["EVENTS_PORT"] = str(events_port)
    stack.start("events")
    key = stack.run("manage", "create_api_key", "Smoke IVR", "--scope", "ivr")
    key = key.stdout.strip().splitlines()[-1]
    events, web = Browser(events_port), Browser(stack.port)

    def events_answers():
        assert stack.processes["events"].poll() is None, stack.log_lines("events")[-20:]
        with contextlib.suppress(OSError):
            return events.get("/healthz")[0].status == 200
        return False

    _wait_until(events_answers, timeout=PROCESS_START_TIMEOUT, what="uvicorn to answer")
    compared = ("content-type", "cache-control", "strict-transport-security", "allow")
    compared += ("x-frame-options", "content-security-policy", "www-authenticate")
    for query, bearer in (("ani=%2B12025550199", key), ("ani=12", key), ("ani=1", "oc_x_y")):
        headers = {"Authorization": f"Bearer {bearer}", "X-Request-ID": "smoke-ivr-0001"}
        path = f"/api/v1/ivr/status?{query}"
        (by_events, events_body), (by_web, web_body) = (
            events.get(path, headers=headers),
            web.get(path, headers=headers),
        )
        assert (by_events.status, events_body) == (by_web.status, web_body), query
        for name in compared:
            assert _header(by_events, name) == _header(by_web, name), (query, name)
    assert json.loads(events_body)["detail"].startswith("This API key is not valid")
    lines = [json.loads(line) for line in stack.log_lines("events") if line.startswith("{")]
    answered = [e for e in lines if e.get("path") == "/api/v1/ivr/status"]
    assert [e["status"] for e in answered] == [200, 400, 401]
    assert {e["request_id"] for e in answered} == {"smoke-ivr-0001"}


def _header(response, name):
    value = response.getheader(name)
    if name in ("content-security-policy", "allow") and value:
        # django-csp's directives and DRF's allowed methods come in a set's order, which
        # differs from process to process (gunicorn's workers too).
        return sorted(part.strip() for part in value.replace(";", ",").split(","))
    return value
