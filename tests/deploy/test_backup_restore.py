"""The backup procedure of docs/OPERATIONS.md, run for real: ``pg_dump -Fc`` of a database
holding a callback, ``pg_restore`` into a fresh database, and the console started on the
restored copy (its own process, as after a real recovery) finds the callback, serves its page
to an agent and has no migration left to apply."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from callbacks import services
from tests.conftest import REQUIRE_SERVICES
from tests.factories import OutageFactory

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
from django.contrib.auth import get_user_model
from django.test import Client
from callbacks.models import CallbackRequest
callback = CallbackRequest.objects.get(pk={pk})
assert callback.name == "Grace Restore", callback.name
client = Client()
client.force_login(get_user_model().objects.get(username="agent"))
page = client.get("/callbacks/{pk}/")
assert page.status_code == 200, page.status_code
assert b"Grace Restore" in page.content
assert Client().get("/healthz").content == b"ok"
print("restored console works")
"""


def _params():
    db = connection.settings_dict
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": str(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
    }


def _pg_env():
    p = _params()
    return {
        **os.environ,
        "PGHOST": p["host"],
        "PGPORT": p["port"],
        "PGUSER": p["user"],
        "PGPASSWORD": p["password"],
    }


@pytest.fixture
def restored_database():
    if not settings.IS_POSTGRES or not shutil.which("pg_dump"):
        if REQUIRE_SERVICES:
            pytest.fail("The backup test needs PostgreSQL and pg_dump/pg_restore")
        pytest.skip("needs PostgreSQL (DATABASE_URL) and pg_dump")
    name = f"console_deploy_restore_{secrets.token_hex(4)}"
    p = _params()
    admin = {k: v for k, v in p.items() if k != "port"} | {"port": int(p["port"])}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_dump_restore_and_the_console_works_on_the_copy(
    transactional_db, restored_database, agent, tmp_path
):
    outage = OutageFactory()
    filing = services.callback_file(
        actor=agent,
        now=outage.started_at,
        outage=outage,
        name="Grace Restore",
        phone="+12025550142",
        call_reason="No service",
    )
    dump = tmp_path / "console.dump"
    source = connection.settings_dict["NAME"]
    env = _pg_env()
    # The procedure, as documented: a custom-format dump, restored without the old owner.
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source], env=env, check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", restored_database, str(dump)],
        env=env,
        check=True,
    )

    p = _params()
    auth = p["user"] + (f":{p['password']}" if p["password"] else "")
    console_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "console.settings",
        "DATABASE_URL": f"postgres://{auth}@{p['host']}:{p['port']}/{restored_database}",
        # Explicit, whatever the defaults: pages render from the app folders' static files,
        # and no setting may refuse a development key.
        "DEBUG": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    manage = [sys.executable, "manage.py"]
    run = dict(cwd=ROOT, env=console_env, capture_output=True, text=True, timeout=120)
    pending = subprocess.run([*manage, "migrate", "--check"], **run)
    assert pending.returncode == 0, pending.stdout + pending.stderr
    check = subprocess.run([*manage, "shell", "-c", CHECK.format(pk=filing.callback.pk)], **run)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "restored console works" in check.stdout
