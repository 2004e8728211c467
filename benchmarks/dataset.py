"""The benchmark database: created, migrated, filled once with the load data, and the users
and sessions the scenarios act as. Reused between runs while it still matches the sizes asked."""

import json
import random
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timedelta

from .environment import BASE_DIR, DATA_DIR, DATABASE_NAME, ensure_database, server_environment

AGENTS = 300
PASSWORDLESS = "!"  # an unusable password: benchmark users only ever log in by session


@dataclass(frozen=True)
class Sizes:
    customers: int = 1_000_000
    areas: int = 20_000
    outages: int = 500
    seed: int = 1

    def as_dict(self):
        return {
            "customers": self.customers,
            "areas": self.areas,
            "outages": self.outages,
            "seed": self.seed,
        }


@dataclass
class People:
    agents: list = field(default_factory=list)
    lead: object = None
    supervisor: object = None


def manage(*args, database=DATABASE_NAME, capture=False):
    """Run ``manage.py`` against a benchmark database in a child process."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=server_environment(database),
        check=True,
        capture_output=capture,
        text=True,
    )


def _marker():
    return DATA_DIR / "dataset.json"


def _matches(sizes):
    from outages.models import Customer, Outage, ServiceArea

    try:
        recorded = json.loads(_marker().read_text())
    except (OSError, ValueError):
        return False
    return (
        recorded == sizes.as_dict()
        and ServiceArea.objects.count() == sizes.areas
        and Customer.objects.count() == sizes.customers
        and Outage.objects.active().count() >= sizes.outages
    )


def prepare(sizes, log):
    """Database, schema, static files and load data; returns the people to act as."""
    ensure_database()
    log("Migrating the benchmark database")
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    if _matches(sizes):
        log(f"Reusing the load data ({sizes.customers:,} customers, {sizes.areas:,} areas)")
    else:
        log(f"Generating {sizes.customers:,} customers over {sizes.areas:,} areas")
        _marker().unlink(missing_ok=True)
        manage(
            "generate_load_data",
            f"--customers={sizes.customers}",
            f"--areas={sizes.areas}",
            f"--outages={sizes.outages}",
            f"--seed={sizes.seed}",
            "--replace",
        )
        _marker().write_text(json.dumps(sizes.as_dict()))
    from django.utils import timezone

    from scripts_library.services import install_defaults

    install_defaults(now=timezone.now())
    return people()


def people():
    """The benchmark's users (created once): 300 agents, a team lead, a supervisor."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core import roles

    User = get_user_model()
    wanted = [(f"bench-agent-{n:03d}", roles.AGENT) for n in range(1, AGENTS + 1)]
    wanted += [("bench-lead", roles.TEAM_LEAD), ("bench-supervisor", roles.SUPERVISOR)]
    existing = set(
        User.objects.filter(username__startswith="bench-").values_list("username", flat=True)
    )
    missing = [(name, role) for name, role in wanted if name not in existing]
    if missing:
        User.objects.bulk_create(
            [
                User(
                    username=name,
                    password=PASSWORDLESS,
                    first_name=name.split("-")[-1].title(),
                    last_name="Bench",
                )
                for name, _ in missing
            ]
        )
        users = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
        groups = {g.name: g for g in Group.objects.all()}
        User.groups.through.objects.bulk_create(
            [
                User.groups.through(user_id=users[name].pk, group_id=groups[role].pk)
                for name, role in missing
            ]
        )
    users = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
    return People(
        agents=[users[name] for name, role in wanted if role == roles.AGENT],
        lead=users["bench-lead"],
        supervisor=users["bench-supervisor"],
    )


def session_cookies(users):
    """A fresh logged-in session per user, as the ``Cookie`` header a browser would send."""
    from django.conf import settings
    from django.test import Client

    cookies = []
    for user in users:
        client = Client()
        client.force_login(user)
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    return cookies


def reset_callbacks():
    """Every scenario that writes callbacks starts from none (they are benchmark data only)."""
    from django.db import connection

    from callbacks.models import AgentDuty, CallbackRequest, DistributionRun

    tables = [
        CallbackRequest._meta.db_table,
        AgentDuty._meta.db_table,
        DistributionRun._meta.db_table,
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def put_on_duty(agents, *, now, cap):
    from callbacks.models import AgentDuty

    AgentDuty.objects.bulk_create(
        [AgentDuty(agent=agent, on_duty=True, cap=cap, changed_at=now) for agent in agents],
        update_conflicts=True,
        unique_fields=["agent"],
        update_fields=["on_duty", "cap", "changed_at"],
    )


def callback_phones(count, *, seed):
    """``count`` distinct valid phone numbers for callbacks, reproducibly."""
    from console.management.commands.generate_load_data import _phone_numbers

    number = _phone_numbers(random.Random(f"callbacks-{seed}"))
    return [number(index) for index in range(count)]


def copy_callbacks(*, outage, count, status, now, created_by, due_at=None, seed=1):
    """``count`` callbacks on ``outage`` in one COPY (as if filed during the outage)."""
    from django.db import connection

    from callbacks.models import CallbackRequest

    columns = (
        "outage_id",
        "name",
        "phone",
        "account_number",
        "call_reason",
        "category",
        "subcategory",
        "item",
        "notes",
        "preferred_window",
        "ticket_reference",
        "status",
        "due_at",
        "released_at",
        "attempts",
        "at_risk",
        "created_by_id",
        "created_at",
        "updated_at",
    )
    phones = callback_phones(count, seed=seed)
    table = CallbackRequest._meta.db_table
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for index, phone in enumerate(phones):
                filed = now - timedelta(seconds=60 + index % 7200)
                copy.write_row(
                    (
                        outage.pk,
                        f"Caller {index + 1}",
                        phone,
                        "",
                        "No service since the outage began",
                        "",
                        "",
                        "",
                        "",
                        "any",
                        "",
                        status,
                        due_at(index) if due_at else None,
                        now if due_at else None,
                        0,
                        False,
                        created_by.pk,
                        filed,
                        filed,
                    )
                )
        cursor.execute(f"ANALYZE {table}")
