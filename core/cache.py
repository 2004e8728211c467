"""The shared cache on Redis: Django's backend, cheaper per call where the hot paths feel it.

- Django builds a new ``redis.Redis`` client object (about a hundred response callbacks set
  up one by one) for every cache call; this backend keeps one client per connection pool.
  Clients are thread-safe and share the pool's connections, so nothing else changes.
- Django's ``incr`` asks whether the key exists, then increments: two round trips, and a
  key that expires between them comes back without its expiry. Here it is one atomic script
  that increments only an existing key (a missing key is still ``ValueError``, as Django
  says), so a rate limit's counter costs one round trip per request.

Also the helpers the hot paths share: ``count_hit`` (a rate limit's counter; its script
``COUNT_HIT_SCRIPT`` for async code) and ``ProcessMemo`` (a few seconds of memory in the
process in front of the shared cache).
"""

import time

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return nil
"""


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._incr_script = None

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        if self._incr_script is None:
            self._incr_script = client.register_script(_INCR_EXISTING)
        value = self._incr_script(keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


def count_hit(key, *, window_seconds):
    """Count one hit on ``key``: the number of hits in its window, which starts at the first
    hit and lasts ``window_seconds``. One round trip while the window is open (an atomic
    increment), two when it opens; concurrent processes never lose a hit."""
    try:
        return cache.incr(key)
    except ValueError:
        if cache.add(key, 1, timeout=window_seconds):
            return 1
        return cache.incr(key)  # another process opened the window first


# ``count_hit`` in one atomic step, for code that talks to Redis itself (the events process,
# on its event loop): the same counter at KEYS[1], opened with the same expiry (ARGV[1]
# seconds) at the window's first hit. With a KEYS[2], its value comes back with the count
# ({hits, value}): a request that also reads a key (a version) makes one round trip.
COUNT_HIT_SCRIPT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
if KEYS[2] then
    return {hits, redis.call('GET', KEYS[2])}
end
return hits
"""


def fresh_version():
    """Where a version counter starts when the shared cache has none (a first start, or a
    flushed or restarted Redis): the time in milliseconds, so it never repeats a version a
    process may still keep answers for."""
    return time.time_ns() // 1_000_000


def version(key):
    """The version counter at ``key``, started afresh when the cache has none."""
    value = cache.get(key)
    if value is None:
        cache.add(key, fresh_version(), timeout=None)
        value = cache.get(key, 1)
    return value


def version_bump(key):
    """Move the counter at ``key`` on, so answers kept under the old version are not used."""
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, fresh_version(), timeout=None)


class ProcessMemo:
    """A small dict of values kept in this process for a few seconds, in front of the shared
    cache, for answers read on every request (an API key, an area's status). Each entry
    expires ``seconds`` after it was kept; a full memo starts again empty. Reads and writes
    are single dict operations, safe between a worker's threads."""

    def __init__(self, *, seconds, size=10_000, clock=time.monotonic):
        self.seconds = seconds
        self.size = size
        self._clock = clock
        self._entries = {}

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def set(self, key, value):
        if len(self._entries) >= self.size:
            self._entries = {}
        self._entries[key] = (self._clock() + self.seconds, value)

    def discard(self, key):
        self._entries.pop(key, None)

    def clear(self):
        self._entries = {}
