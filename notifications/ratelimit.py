"""A per-provider send rate shared by every worker: a one-second window counted in Redis.

``take(channel, wanted)`` grants up to ``wanted`` sends in the current second (a Lua script
checks and counts in one step, so concurrent workers never overshoot) and waits for the next
second when the window is full. Without Redis (``make run`` on the filesystem broker) the
window is counted in this process only."""

import threading
import time

import redis
from django.conf import settings

from . import conf

_TAKE = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local grant = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - used)
if grant <= 0 then return 0 end
redis.call('INCRBY', KEYS[1], grant)
redis.call('EXPIRE', KEYS[1], 3)
return grant
"""

_state = threading.local()
_local_lock = threading.Lock()
_local_windows = {}


def _script():
    url = settings.NOTIFY_REDIS_URL
    cached = getattr(_state, "script", None)
    if cached is None or cached[0] != url:
        client = redis.Redis.from_url(url, socket_timeout=5)
        cached = (url, client.register_script(_TAKE))
        _state.script = cached
    return cached[1]


def _grant_local(key, wanted, limit):
    with _local_lock:
        used = _local_windows.get(key, 0)
        grant = max(0, min(wanted, limit - used))
        if grant:
            if len(_local_windows) > 100:
                _local_windows.clear()
            _local_windows[key] = used + grant
        return grant


def take(channel, wanted):
    """Block until at least one send is allowed; return how many (1..wanted) may go now."""
    limit = conf.rate_per_second(channel)
    provider = settings.NOTIFY_SMS_PROVIDER if channel == "sms" else "email"
    while True:
        now = time.time()
        second = int(now)
        key = f"notify:rate:{provider}:{second}"
        if settings.NOTIFY_REDIS_URL:
            grant = int(_script()(keys=[key], args=[wanted, limit]))
        else:
            grant = _grant_local(key, wanted, limit)
        if grant > 0:
            return grant
        time.sleep(max(0.001, second + 1 - time.time()))
