"""The shared cache's Redis backend (one client per pool, a one-trip atomic incr), the rate
counter and the per-process memo, against the real Redis where the broker is Redis."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache

from core.cache import ProcessMemo, RedisCache, count_hit
from tests.conftest import REQUIRE_SERVICES


@pytest.fixture
def redis_cache():
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        if REQUIRE_SERVICES:
            pytest.fail("This test needs Redis")
        pytest.skip("needs Redis (set CELERY_BROKER_URL)")
    backend = RedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield backend
    backend.delete_many(["hits", "nothing", "k"])  # not clear(): that empties the whole db


def test_redis_incr_counts_an_existing_key_and_keeps_its_expiry(redis_cache):
    redis_cache.set("hits", 5, timeout=60)
    assert redis_cache.incr("hits") == 6
    assert redis_cache.incr("hits", 4) == 10
    assert redis_cache.get("hits") == 10
    client = redis_cache._cache.get_client(write=True)
    assert 0 < client.ttl(redis_cache.make_key("hits")) <= 60


def test_redis_incr_of_a_missing_key_is_refused_as_django_says(redis_cache):
    with pytest.raises(ValueError, match="not found"):
        redis_cache.incr("nothing")
    assert redis_cache.get("nothing") is None


def test_redis_incr_loses_no_count_between_threads(redis_cache):
    redis_cache.set("hits", 0, timeout=60)

    def hit():
        for _ in range(50):
            redis_cache.incr("hits")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redis_cache.get("hits") == 400


def test_the_redis_backend_reuses_one_client_per_pool(redis_cache):
    first = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b") is first
    redis_cache.set("k", {"v": 1})
    assert redis_cache.get("k") == {"v": 1}


def test_count_hit_counts_within_the_window_then_starts_again():
    key = f"hits-{uuid.uuid4().hex}"
    start = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        assert [count_hit(key, window_seconds=60) for _ in range(3)] == [1, 2, 3]
        traveller.move_to(start + timedelta(seconds=59))
        assert count_hit(key, window_seconds=60) == 4
        traveller.move_to(start + timedelta(seconds=61))
        assert count_hit(key, window_seconds=60) == 1
    cache.delete(key)


def test_process_memo_keeps_values_for_its_seconds_only():
    now = [100.0]
    memo = ProcessMemo(seconds=5, clock=lambda: now[0])
    memo.set("area:1", "answer")
    assert memo.get("area:1") == "answer"
    now[0] += 4.9
    assert memo.get("area:1") == "answer"
    now[0] += 0.2
    assert memo.get("area:1") is None
    memo.set("area:1", "again")
    memo.discard("area:1")
    assert memo.get("area:1") is None


def test_a_full_process_memo_starts_again_empty():
    memo = ProcessMemo(seconds=60, size=2)
    memo.set("a", 1)
    memo.set("b", 2)
    memo.set("c", 3)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (None, None, 3)
