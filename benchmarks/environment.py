"""Where the benchmarks run: their own PostgreSQL database and Redis database, production-like
settings (DEBUG off), and the checks that both services answer.

Configured from the environment, before Django starts:

- ``BENCH_DATABASE_URL`` (default: the server of ``DATABASE_URL`` when that is PostgreSQL, else
  ``postgres://postgres@127.0.0.1:5432``, with the database ``console_bench``);
  ``BENCH_DATABASE_NAME`` names another database on that server;
- ``BENCH_BROKER_URL`` (default ``redis://127.0.0.1:6379/6``).
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
DATA_DIR = PACKAGE_DIR / "data"
# BENCH_DATABASE_NAME: another database name on the same server (several people sharing one).
DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "console_bench")
# The import scenario's own database, beside the benchmark database (console_bench_import).
IMPORT_DATABASE_NAME = f"{DATABASE_NAME}_import"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
DEFAULT_BROKER = "redis://127.0.0.1:6379/6"


class ServiceMissing(SystemExit):
    """PostgreSQL or Redis does not answer: the benchmarks cannot run."""

    def __init__(self, message):
        super().__init__(2)
        self.message = message


def _server_url():
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    current = os.environ.get("DATABASE_URL", "")
    if current.startswith(("postgres://", "postgresql://")):
        return current
    return f"{DEFAULT_SERVER}/{DATABASE_NAME}"


def database_url(name=DATABASE_NAME):
    """The benchmark database's URL: same server, our own database name."""
    parts = urlsplit(_server_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def broker_url():
    return os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER)


def server_environment(name=DATABASE_NAME):
    """The environment of every process of a benchmark run (harness, gunicorn, commands)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="console.settings",
        DATABASE_URL=database_url(name),
        CELERY_BROKER_URL=broker_url(),
        BENCHMARK_FLOOR="1",
        DEBUG="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY", "benchmark-only-secret-key-not-for-production"),
        STATIC_ROOT=str(DATA_DIR / "static"),
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="600",
        # The cache the API's rate limits and the cached answers use, as in production.
        CACHE_URL=env.get("BENCH_CACHE_URL", broker_url()),
        # Rate limits far above what the load generator sends: the benchmark measures the work.
        API_KEY_RATE="1000000/s",
        STATUSPAGE_LOOKUP_RATE="1000000/s",
        # Calls at any hour: the figures must not depend on the clock of the run (outside
        # calling hours nothing would be offered to claim or distribute).
        CALLBACK_CALLING_OPENS="00:00",
        CALLBACK_CALLING_CLOSES="24:00",
    )
    return env


def configure():
    """Point this process at the benchmark database and broker, then start Django."""
    DATA_DIR.mkdir(exist_ok=True)
    os.environ.update(server_environment())
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def check_services():
    """Raise ServiceMissing with a plain message when PostgreSQL or Redis is not there."""
    problems = []
    import psycopg

    admin = urlsplit(database_url("postgres"))
    try:
        with psycopg.connect(urlunsplit(admin), connect_timeout=3, autocommit=True):
            pass
    except psycopg.Error as exc:
        problems.append(f"PostgreSQL does not answer at {admin.netloc}: {exc}".strip())
    import redis

    try:
        redis.Redis.from_url(broker_url(), socket_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis does not answer at {broker_url()}: {exc}")
    if problems:
        raise ServiceMissing(
            "The benchmarks need PostgreSQL and Redis.\n  "
            + "\n  ".join(problems)
            + "\nStart them (e.g. `docker compose up -d postgres redis`) or point "
            "BENCH_DATABASE_URL / BENCH_BROKER_URL at them."
        )


def ensure_database(name=DATABASE_NAME, *, fresh=False):
    """Create the database if it is missing (drop it first when ``fresh``)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        if fresh:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name):
    import psycopg
    from psycopg import sql

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
