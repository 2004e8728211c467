"""The test suite's settings: the project's own, with the development mode the suite needs.

Settings refuse to start with DEBUG off and no SECRET_KEY. The suite runs on the development
key (DEBUG=true at import, plain static storage); pytest-django still runs every test with
``settings.DEBUG = False``, as production does. Worker processes started by tests inherit the
environment, and so the same mode.

The suite runs in parallel (pytest-xdist, ``make test``: two processes). pytest-django gives
each process its own test database; this module gives each its own Redis database (the
broker, and so the metrics, notification rate limits and cache that default to it) and its
own filesystem-broker folder, so that one process's worker never takes another's tasks and a
purge never empties another's queues. The environment is changed before the project's
settings read it: the worker, web and events processes the tests start inherit it."""

import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DEBUG", "true")

# "gw0", "gw1", ... in a pytest-xdist worker; unset when the suite runs in one process.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
XDIST_INDEX = int(XDIST_WORKER.removeprefix("gw")) if XDIST_WORKER else 0
XDIST_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))


def _redis_db_for_this_process(broker_url):
    """The broker URL with this process's Redis database, from ``TEST_REDIS_DBS`` (one
    database per xdist worker, comma-separated: CI's ``15,14``). One process and no list: the
    URL as given."""
    listed = [db.strip() for db in os.environ.get("TEST_REDIS_DBS", "").split(",") if db.strip()]
    if not listed:
        if XDIST_WORKERS > 1:
            raise ImproperlyConfigured(
                f"{XDIST_WORKERS} test processes share the Redis broker {broker_url}: set "
                "TEST_REDIS_DBS to one Redis database per process (e.g. TEST_REDIS_DBS=15,14), "
                "or run in one process (make test PYTEST_WORKERS=0)"
            )
        return broker_url
    if len(listed) < XDIST_WORKERS or len(set(listed)) < len(listed):
        raise ImproperlyConfigured(
            f"TEST_REDIS_DBS={','.join(listed)} must name {XDIST_WORKERS} different databases, "
            "one per test process"
        )
    parts = urlsplit(broker_url)
    return urlunsplit(parts._replace(path=f"/{int(listed[XDIST_INDEX])}"))


# Chosen once, in the xdist worker itself: a process it starts inherits the chosen URL (or is
# given another on purpose, e.g. a private redis-server) and keeps it.
_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if _BROKER_URL.startswith(("redis://", "rediss://")) and "TEST_REDIS_DB_CHOSEN" not in os.environ:
    os.environ["CELERY_BROKER_URL"] = _redis_db_for_this_process(_BROKER_URL)
    if XDIST_WORKER:
        os.environ["TEST_REDIS_DB_CHOSEN"] = XDIST_WORKER

from console.settings import *  # noqa: E402, F403
from console.settings import (  # noqa: E402
    BROKER_DIR,
    CELERY_BROKER_URL,
    filesystem_broker_options,
)

# The filesystem broker (no CELERY_BROKER_URL): a folder per test process.
if XDIST_WORKER and CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_DIR = BROKER_DIR.with_name(f"broker-{XDIST_WORKER}")
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(BROKER_DIR)

# Passwords hashed once, quickly: the default PBKDF2 hasher spends about half a second of CPU
# on each user a test creates and each login it checks. No test is about the hash itself; the
# processes that run the production settings (tests/deploy) create and check their own users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
