"""The production configuration holds together: every environment variable docker-compose.yml
gives the console's containers is one that the settings (or the entrypoint and gunicorn's
configuration) read, and every variable of README's production command reaches the settings
through the compose file and takes effect.

What the settings read is observed, not guessed: ``console/settings.py`` is imported in a fresh
interpreter whose ``os.environ`` records every name looked up, with the environment compose
would give the containers."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
README = (ROOT / "README.md").read_text()

RECORD = """
import json, os, sys

class Recording(dict):
    read = set()
    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)
    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)
    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)
    def setdefault(self, key, default=None):
        self.read.add(key)
        return super().setdefault(key, default)

os.environ = Recording(os.environ)
from console import settings
values = {name: repr(getattr(settings, name)) for name in sys.argv[1:]}
print(json.dumps({"read": sorted(os.environ.read), "values": values}))
"""

_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")


def _interpolate(value, given):
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``."""

    def replace(match):
        name, rest = match.group(1), match.group(2) or ""
        if name in given:
            return given[name]
        assert ":?" not in match.group(0), f"{name} is required by docker-compose.yml"
        return rest

    return _INTERPOLATION.sub(replace, str(value))


def _app_services():
    return {
        name: service
        for name, service in COMPOSE["services"].items()
        if service.get("image", "").startswith("outage-console")
    }


def _app_environment():
    """Every variable any console container is given (name -> raw compose value)."""
    merged = {}
    for service in _app_services().values():
        merged.update(service.get("environment") or {})
    return merged


def _readme_command():
    line = next(line for line in README.splitlines() if re.match(r"^\w+=.*docker compose up", line))
    return dict(re.findall(r"(\w+)=(\$\([^)]*\)|\S+)", line.split("docker compose")[0]))


def _settings_reading(environment, *names):
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    for key in list(env):
        if key in _app_environment() or key in ("DJANGO_SETTINGS_MODULE",):
            env.pop(key)
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", RECORD, *names],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _read_by_entrypoint():
    """Variables the entrypoint script and the files it runs read."""
    names = set()
    shell = (ROOT / "docker" / "entrypoint.sh").read_text()
    names |= set(re.findall(r"\$\{(\w+)", shell))
    for path in ("docker/gunicorn.conf.py", "docker/healthcheck.py"):
        names |= set(re.findall(r"os\.environ\.get\(\"(\w+)\"", (ROOT / path).read_text()))
    return names


def test_readme_production_command_is_the_compose_files():
    command = _readme_command()
    assert {"SECRET_KEY", "ALLOWED_HOSTS"} <= command.keys()
    assert "127.0.0.1" not in command["ALLOWED_HOSTS"]
    assert "docker compose up -d" in README
    assert "openssl rand" in command["SECRET_KEY"]


def test_every_compose_variable_is_read_and_readme_variables_are_honoured():
    command = _readme_command()
    given = {"SECRET_KEY": secrets.token_hex(32)}  # what openssl rand -hex 32 gives
    given.update({k: v for k, v in command.items() if k != "SECRET_KEY"})
    environment = {name: _interpolate(value, given) for name, value in _app_environment().items()}
    observed = _settings_reading(environment, "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")

    read = set(observed["read"]) | _read_by_entrypoint()
    unread = sorted(set(environment) - read)
    assert not unread, f"docker-compose.yml sets variables nothing reads: {unread}"

    app_env = _app_environment()
    for name in command:
        assert name in observed["read"], f"the settings never read README's {name}"
        assert f"${{{name}" in str(app_env.get(name, "")), f"compose does not pass {name} on"
    assert observed["values"]["SECRET_KEY"] == repr(given["SECRET_KEY"])
    assert observed["values"]["ALLOWED_HOSTS"] == repr(command["ALLOWED_HOSTS"].split(","))
    assert observed["values"]["DEBUG"] == "False"


def test_compose_shape():
    services = COMPOSE["services"]
    app = _app_services()
    # Migrations run once, and every other console service waits for them to succeed.
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for name, service in app.items():
        if name in ("migrate", "manage"):
            continue
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["restart"] == "unless-stopped"
        assert service["deploy"]["resources"]["limits"]
    # A worker per queue, each through the entrypoint; exactly one beat.
    workers = {n: s for n, s in app.items() if s["command"][0] == "worker"}
    assert sorted(s["command"][1] for s in workers.values()) == sorted(
        queue.name for queue in settings.CELERY_TASK_QUEUES
    )
    assert [n for n, s in app.items() if s["command"] == ["beat"]] == ["beat"]
    # The health check does not depend on ALLOWED_HOSTS naming 127.0.0.1.
    assert services["web"]["healthcheck"]["test"] == [
        "CMD",
        "/app/docker/entrypoint.sh",
        "healthcheck",
    ]
    # Import files: a mounted folder, and README's import commands use it.
    assert "./imports:/imports:ro" in services["manage"]["volumes"]
    assert "docker compose run --rm manage import_customers /imports/" in README
