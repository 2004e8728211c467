"""A per-provider send rate shared by every worker: a sliding window of grants kept in Redis.

The provider counts what it receives per second. A grant is taken just before a request goes,
and the request reaches the provider within ``NOTIFY_RATE_MARGIN_MS`` of it (the sender takes a
fresh grant for a request it could not start in that time). So no window of one second plus
that margin may hold more grants than the limit: then no second at the provider holds more
requests than the limit, wherever its boundaries fall. (A fixed one-second window lets a burst
at the end of one second and requests still in flight from it land in the next: a second with
207 at a limit of 200.)

``take(channel, wanted)`` grants up to ``wanted`` sends now, waiting as long as the window is
full. In Redis one Lua script reads the window, drops what has left it, and records the grant
in one step, so concurrent workers never overshoot; its clock is the Redis server's, one for
every worker. Without Redis (``make run`` on the filesystem broker) the same window is kept in
this process. ``try_take`` is one attempt, with the clock as an argument for tests.
"""

import threading
import time
from collections import deque
from dataclasses import dataclass

import redis
from django.conf import settings

from . import conf

# KEYS[1]: sorted set of grants (score: when, in microseconds; member: "when:seq:count").
# KEYS[2]: hash with the sum of the counts in the set ("used") and a sequence ("seq").
# ARGV: now in microseconds (negative: the server's clock), window in microseconds, limit,
# wanted. Returns {granted, microseconds to wait before anything more can be granted}.
_TAKE = """
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local window, limit, wanted = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
-- Whole microseconds as text: Lua would print large numbers with 14 significant digits.
local cutoff = string.format('%d', now - window)
local used = tonumber(redis.call('HGET', KEYS[2], 'used') or '0')
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
if #gone > 0 then
  for _, member in ipairs(gone) do
    used = used - tonumber(string.match(member, ':(%d+)$'))
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
end
if used < 0 or redis.call('ZCARD', KEYS[1]) == 0 then used = 0 end
local grant = math.min(wanted, limit - used)
if grant > 0 then
  local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
  local stamp = string.format('%d', now)
  redis.call('ZADD', KEYS[1], stamp, stamp .. ':' .. seq .. ':' .. grant)
  used = used + grant
else
  grant = 0
end
redis.call('HSET', KEYS[2], 'used', used)
local keep = math.floor(window / 1000) * 2 + 1000
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
if grant > 0 then return {grant, 0} end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = 1000
if oldest[2] then wait = math.max(1, tonumber(oldest[2]) + window - now + 1) end
return {0, wait}
"""


@dataclass(frozen=True)
class Attempt:
    granted: int
    wait: float  # seconds before anything more can be granted (0 when something was)


def window_seconds():
    """One second, plus the time a granted request may take to reach the provider."""
    return 1 + settings.NOTIFY_RATE_MARGIN_MS / 1000


_state = threading.local()


def _script():
    url = settings.NOTIFY_REDIS_URL
    cached = getattr(_state, "script", None)
    if cached is None or cached[0] != url:
        client = redis.Redis.from_url(url, socket_timeout=5)
        cached = (url, client.register_script(_TAKE))
        _state.script = cached
    return cached[1]


class LocalWindow:
    """The same sliding window in this process (no Redis): ``(when, count)`` grants in order."""

    def __init__(self):
        self.lock = threading.Lock()
        self.grants = {}

    def take(self, key, *, wanted, limit, window, now):
        with self.lock:
            grants = self.grants.setdefault(key, deque())
            while grants and grants[0][0] <= now - window:
                grants.popleft()
            grant = min(wanted, limit - sum(count for _, count in grants))
            if grant > 0:
                grants.append((now, grant))
                return Attempt(grant, 0)
            wait = grants[0][0] + window - now if grants else window
            return Attempt(0, max(wait, 0.001))


_local = LocalWindow()


def _key(channel):
    provider = settings.NOTIFY_SMS_PROVIDER if channel == "sms" else "email"
    return f"notify:rate:{provider}"


def try_take(channel, wanted, *, now=None):
    """One attempt to take up to ``wanted`` sends: an ``Attempt``. ``now`` (seconds since the
    epoch) is the clock; by default Redis's own (or this process's without Redis)."""
    limit, window = conf.rate_per_second(channel), window_seconds()
    key = _key(channel)
    if not settings.NOTIFY_REDIS_URL:
        return _local.take(
            key, wanted=wanted, limit=limit, window=window, now=time.time() if now is None else now
        )
    granted, wait = _script()(
        keys=[key, f"{key}:used"],
        args=[-1 if now is None else int(now * 1_000_000), int(window * 1_000_000), limit, wanted],
    )
    return Attempt(int(granted), int(wait) / 1_000_000)


def take(channel, wanted):
    """Block until at least one send is allowed; return how many (1..wanted) may go now."""
    while True:
        attempt = try_take(channel, wanted)
        if attempt.granted:
            return attempt.granted
        time.sleep(attempt.wait)
