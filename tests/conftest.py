"""Shared fixtures: users per role, logged-in clients, a real Celery worker.

Under CI (``REQUIRE_SERVICES=1``) the suite refuses to run without PostgreSQL and a Redis
broker: a missing service fails the run instead of quietly skipping what needs it."""

import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from core import roles, tasking
from scripts_library import selectors as script_selectors

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _broker_is_redis():
    return settings.CELERY_BROKER_URL.startswith("redis://")


def pytest_sessionstart(session):
    if not REQUIRE_SERVICES:
        return
    problems = []
    if not settings.IS_POSTGRES:
        problems.append("DATABASE_URL must point at PostgreSQL")
    if not _broker_is_redis():
        problems.append("CELERY_BROKER_URL must point at Redis")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=3).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis does not answer at {settings.CELERY_BROKER_URL}: {exc}")
    if problems:
        raise pytest.UsageError("REQUIRE_SERVICES=1 but: " + "; ".join(problems))


@pytest.fixture(autouse=True)
def _broker_starts_up():
    # A test that stopped the broker leaves this process skipping publishes for a while (the
    # filing path's protection); the next test starts with the broker taken as up.
    tasking.broker_mark_up()


@pytest.fixture(autouse=True)
def _worker_tests_start_on_an_empty_broker(request):
    """A test that starts workers finds this process's Redis database as a fresh run would:
    no queued messages and none left unacknowledged. A worker killed mid-task (the crash tests)
    leaves its message unacknowledged for the visibility timeout, an hour; in two processes
    the tests no longer run in one order, so whichever comes next on the same database must
    not count it as its own. Only this process's database (TEST_REDIS_DBS) is touched."""
    if request.node.get_closest_marker("worker") is None or not _broker_is_redis():
        return
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=3)
    queues = [queue.name for queue in settings.CELERY_TASK_QUEUES]
    # kombu's Redis transport keeps unacknowledged messages in these keys.
    client.delete(*queues, "unacked", "unacked_index", "unacked_mutex")


@pytest.fixture(autouse=True)
def _scripts_read_afresh():
    """Each process keeps the scripts it chose under the library's version, which lives in
    Redis and outlasts a test's rolled-back rows (a version moves with every saved script, and
    saved scripts are never rolled back outside tests): each test starts with none kept."""
    script_selectors.forget_kept_choices()


@pytest.fixture(autouse=True)
def _calls_at_any_hour(settings):
    """Most tests run at whatever time the machine's clock says; calling hours would make
    their deadlines depend on it. Tests about calling hours ask for ``calling_hours``."""
    settings.CALLBACK_CALLING_OPENS = "00:00"
    settings.CALLBACK_CALLING_CLOSES = "24:00"


@pytest.fixture
def calling_hours(settings):
    """The product's default calling hours, 08:00-21:00 in the centre's zone (New York)."""
    settings.CALLBACK_CALLING_OPENS = "08:00"
    settings.CALLBACK_CALLING_CLOSES = "21:00"
    settings.CALLBACK_CALLING_ZONE = "America/New_York"


@pytest.fixture
def postgres_only():
    """For behaviour only PostgreSQL has (SKIP LOCKED, trigram, COPY). Fails under CI."""
    if not settings.IS_POSTGRES:
        if REQUIRE_SERVICES:
            pytest.fail("This test needs PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def make_user(django_user_model, username, role=None, **extra):
    user = django_user_model.objects.create_user(
        username=username,
        password="pw-for-tests",
        first_name=extra.pop("first_name", username.title()),
        last_name=extra.pop("last_name", "Tester"),
        **extra,
    )
    if role:
        # A transactional test before this one may have flushed the migrated groups.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def agent(django_user_model):
    return make_user(django_user_model, "agent", roles.AGENT)


@pytest.fixture
def agent2(django_user_model):
    return make_user(django_user_model, "agent2", roles.AGENT)


@pytest.fixture
def team_lead(django_user_model):
    return make_user(django_user_model, "lead", roles.TEAM_LEAD)


@pytest.fixture
def supervisor(django_user_model):
    return make_user(django_user_model, "supervisor", roles.SUPERVISOR)


@pytest.fixture
def nobody(django_user_model):
    """Logged in but in no role group."""
    return make_user(django_user_model, "nobody")


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def agent_client(client, agent):
    return _client_for(client, agent)


@pytest.fixture
def lead_client(client, team_lead):
    return _client_for(client, team_lead)


@pytest.fixture
def supervisor_client(client, supervisor):
    return _client_for(client, supervisor)


@pytest.fixture
def celery_worker_on_broker(transactional_db):
    """A real Celery worker (threads, solo pool) consuming from the configured broker.

    Tests that use it need committed rows (``transactional_db``): the worker reads the
    database on its own connection, as in production."""
    from celery.contrib.testing.worker import start_worker

    from console.celery import app

    # What ``celery worker`` does at start-up (the test controller skips it): import every
    # app's tasks module, so tasks sent by name (the event subscribers) are known.
    app.loader.import_default_modules()
    _purge(app)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
    _purge(app)


def _purge(app):
    with app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            conn.default_channel.queue_purge(queue.name)


@pytest.fixture
def migrated_data(transactional_db):
    """What the data migrations put in a fresh database and a flush takes away: the role
    groups with their permissions, and the default wording of every script. For transactional
    tests that need them (a transactional test before may have flushed them)."""
    from django.contrib.auth.models import Group, Permission
    from django.utils import timezone

    from core.roles import ROLES, permissions_for
    from scripts_library.services import install_defaults

    for role in ROLES:
        group, created = Group.objects.get_or_create(name=role)
        if created:
            codes = [code.split(".") for code in permissions_for(role)]
            group.permissions.set(
                p
                for p in Permission.objects.select_related("content_type")
                if [p.content_type.app_label, p.codename] in codes
            )
    install_defaults(now=timezone.now())
