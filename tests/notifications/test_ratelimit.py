"""The shared send rate: a sliding window of one second plus the in-flight margin, in Redis (the
Lua script) and in one process (no Redis), driven by a controlled clock."""

import random
import threading

import pytest
import redis

from notifications import ratelimit

T0 = 1_796_000_000.0  # an arbitrary instant, in seconds since the epoch


@pytest.fixture(params=["redis", "local"])
def window(request, settings):
    """Limit 10 a second, margin 100 ms, on each backend; a fresh window."""
    settings.NOTIFY_SMS_RATE = 10
    settings.NOTIFY_RATE_MARGIN_MS = 100
    settings.NOTIFY_SMS_PROVIDER = "twilio"
    if request.param == "redis":
        if not settings.CELERY_BROKER_URL.startswith("redis://"):
            pytest.skip("needs Redis")
        settings.NOTIFY_REDIS_URL = settings.CELERY_BROKER_URL
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        client.delete("notify:rate:twilio", "notify:rate:twilio:used")
    else:
        settings.NOTIFY_REDIS_URL = ""
        ratelimit._local.grants.clear()
    return request.param


def test_grants_up_to_the_limit_then_says_how_long_to_wait(window):
    assert ratelimit.try_take("sms", 6, now=T0).granted == 6
    assert ratelimit.try_take("sms", 6, now=T0 + 0.2).granted == 4  # what is left
    full = ratelimit.try_take("sms", 1, now=T0 + 0.3)
    assert full.granted == 0
    # The first grant leaves the window 1.1 s after it was made.
    assert full.wait == pytest.approx(0.8, abs=0.002)


def test_a_new_second_does_not_refill_the_window(window):
    """The fixed one-second window granted again at every whole second: a burst at the end
    of one second and another at the start of the next reached the provider together."""
    assert ratelimit.try_take("sms", 10, now=T0 + 0.9).granted == 10
    assert ratelimit.try_take("sms", 10, now=T0 + 1.0).granted == 0
    assert ratelimit.try_take("sms", 10, now=T0 + 1.95).granted == 0
    assert ratelimit.try_take("sms", 10, now=T0 + 2.01).granted == 10


def test_no_window_ever_holds_more_than_the_limit(window):
    rng = random.Random(15)
    grants, now = [], T0
    for _ in range(600):
        now += rng.choice([0.0, 0.001, 0.01, 0.05, 0.2])
        granted = ratelimit.try_take("sms", rng.randint(1, 4), now=now).granted
        if granted:
            grants.append((now, granted))
    assert sum(count for _, count in grants) > 100  # it did grant, steadily
    span = ratelimit.window_seconds()
    for start, _ in grants:
        inside = sum(count for at, count in grants if start <= at < start + span - 1e-6)
        assert inside <= 10
    # So every calendar second at the provider, even with requests up to the margin late.
    for second in range(int(T0), int(now) + 1):
        arrived = sum(count for at, count in grants if second - 0.1 < at < second + 1)
        assert arrived <= 10


def test_concurrent_workers_share_one_limit(window):
    results = []

    def worker():
        results.extend(ratelimit.try_take("sms", 1, now=T0).granted for _ in range(10))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 10


def test_take_waits_for_the_window_and_then_grants(window, settings):
    """``take`` blocks on the real clock; with a limit above the demand it grants at once."""
    settings.NOTIFY_SMS_RATE = 1_000
    assert ratelimit.take("sms", 5) == 5
