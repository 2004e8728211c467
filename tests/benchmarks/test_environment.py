"""Where the benchmarks run: their own database, and a plain message when a service is missing."""

import pytest

from benchmarks import environment


def test_benchmark_database_is_its_own_on_the_configured_server(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw@db.internal:5433/console_x")
    assert environment.database_url() == "postgres://app:pw@db.internal:5433/console_bench"
    monkeypatch.setenv("DATABASE_URL", "sqlite:///var/console.sqlite3")
    assert environment.database_url() == "postgres://postgres@127.0.0.1:5432/console_bench"


def test_server_environment_runs_the_floor_urls_without_debug():
    env = environment.server_environment()
    assert env["BENCHMARK_FLOOR"] == "1"
    assert env["DEBUG"] == "0"
    assert env["DATABASE_URL"].endswith("/console_bench")


def test_missing_services_are_named_plainly(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:1/console_bench")
    monkeypatch.setenv("BENCH_BROKER_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(environment.ServiceMissing) as missing:
        environment.check_services()
    assert "need PostgreSQL and Redis" in missing.value.message
    assert "PostgreSQL does not answer" in missing.value.message
    assert "Redis does not answer" in missing.value.message
    assert missing.value.code == 2
