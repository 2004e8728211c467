"""One Redis subscription per events process, fanned out to its open live-call screens.

Each open screen is a server-sent events stream (``console.views.live_events``) with a small
queue, filed under the area it shows. One task per process listens on the outages channel
(``console.live_events.channel()``); each message is formatted as an event once and put in the
queue of every screen of the areas it names (all of them for an outage on every area). A
screen whose queue is full (a stalled client) loses the event: its reconciling refresh and
version check bring it. After a lost Redis connection every screen is told to resync, since
events may have gone by meanwhile.
"""

import asyncio
import contextlib
import json
import logging

import redis
from redis import asyncio as aioredis

from . import live_events

logger = logging.getLogger(__name__)

QUEUE_SIZE = 32
READY_TIMEOUT = 2.0
RECONNECT_SECONDS = (0.5, 10.0)
RESYNC = b"event: resync\ndata: {}\n\n"


def sse(event, data):
    """One server-sent event: ``data`` as JSON on one line."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


class Hub:
    def __init__(self):
        self._screens = {}  # area id (None: no area) -> set of queues
        self._loop = None
        self._task = None
        self._ready = None

    @property
    def screens(self):
        return sum(len(queues) for queues in self._screens.values())

    async def join(self, area_id):
        """A queue for a new screen of ``area_id``. Waits (briefly) for the subscription, so
        that an event published once the stream has started is not missed."""
        self._listen_in_this_loop()
        try:
            await asyncio.wait_for(self._ready.wait(), READY_TIMEOUT)
        except TimeoutError:
            logger.warning("Live events: no Redis subscription yet; the screen checks versions")
        queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._screens.setdefault(area_id, set()).add(queue)
        return queue

    def leave(self, area_id, queue):
        queues = self._screens.get(area_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._screens[area_id]

    async def close(self):
        """Stop listening and forget the screens (the process is stopping; tests)."""
        task, self._task, self._screens = self._task, None, {}
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def dispatch(self, data):
        """A published message to the screens it concerns; how many got it."""
        try:
            message = json.loads(data)
            chunk = sse("outage", message["event"])
        except (ValueError, KeyError, TypeError):
            logger.warning("Live events: unreadable message ignored")
            return 0
        areas = message.get("areas")
        if areas is None:
            targets = [q for queues in self._screens.values() for q in queues]
        else:
            targets = [q for area in areas for q in self._screens.get(area, ())]
        return self._put(targets, chunk)

    def _put(self, queues, chunk):
        sent = 0
        for queue in queues:
            try:
                queue.put_nowait(chunk)
                sent += 1
            except asyncio.QueueFull:
                pass
        return sent

    def _listen_in_this_loop(self):
        loop = asyncio.get_running_loop()
        if self._loop is loop and self._task is not None and not self._task.done():
            return
        if self._loop is not loop:
            # A new event loop (tests run one per test): screens of the old one are gone.
            self._screens = {}
        self._loop = loop
        self._ready = asyncio.Event()
        self._task = loop.create_task(self._listen(), name="live-events-listener")

    async def _listen(self):
        delay, longest = RECONNECT_SECONDS
        resync = False
        while True:
            client = aioredis.Redis.from_url(live_events.redis_url())
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(live_events.channel())
                    async for message in pubsub.listen():
                        kind = message["type"]
                        if kind == "subscribe":
                            self._ready.set()
                            delay = RECONNECT_SECONDS[0]
                            if resync:
                                self._put([q for qs in self._screens.values() for q in qs], RESYNC)
                        elif kind == "message":
                            self.dispatch(message["data"])
            except (redis.RedisError, OSError) as exc:
                logger.warning("Live events: Redis subscription lost (%s); retrying", exc)
            finally:
                await client.aclose()
            self._ready.clear()
            resync = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, longest)


HUB = Hub()
