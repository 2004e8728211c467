"""Open live-call screens, simulated: a separate process, standard library only (asyncio).

``python -m benchmarks.live_screens SPEC.json`` opens one server-sent events stream per screen
(``GET /call/live/events/?area=...`` with an agent's session cookie, raw HTTP/1.1 on
127.0.0.1), as the live-call page does, and reads them. It prints ``{"ready": ...}`` once every
stream answered (or failed), then follows commands on stdin, one a line:

- ``wait ETR T0 TIMEOUT``: until every screen listed as affected has received an event whose
  ``etr`` is ETR (or TIMEOUT seconds after T0), print one JSON line: the latency of each
  (receipt time minus T0, both ``time.time()`` on this machine), how many were missed, and how
  many screens of other areas received it (there should be none);
- ``exit``.

The spec (JSON)::

    {"port": 8124, "cookies": ["sessionid=..."],     # used round-robin
     "screens": [{"area": 12, "affected": true}, ...],
     "connect_concurrency": 200}
"""

import asyncio
import json
import sys
import time

HOST = "127.0.0.1"
PATH = "/call/live/events/?area={area}"


class Screen:
    def __init__(self, index, area, affected, cookie):
        self.index = index
        self.area = area
        self.affected = affected
        self.cookie = cookie
        self.received = {}  # etr -> time.time() of receipt
        self.status = None
        self.error = None


async def _read_events(screen, reader):
    event, data = None, None
    while True:
        line = await reader.readline()
        if not line:
            return
        text = line.decode().rstrip("\r\n")
        # Chunked transfer encoding: size lines are hex digits alone; skip them.
        if text and all(c in "0123456789abcdefABCDEF" for c in text):
            continue
        if text.startswith("event:"):
            event = text[6:].strip()
        elif text.startswith("data:"):
            data = text[5:].strip()
        elif text == "" and event == "outage" and data:
            try:
                etr = json.loads(data).get("etr")
            except ValueError:
                etr = None
            screen.received.setdefault(etr, time.time())
            event, data = None, None
        elif text == "":
            event, data = None, None


async def _open(screen, port, opened, limiter):
    try:
        async with limiter:
            reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 20)
            writer.write(
                (
                    f"GET {PATH.format(area=screen.area)} HTTP/1.1\r\nHost: {HOST}\r\n"
                    f"Cookie: {screen.cookie}\r\nAccept: text/event-stream\r\n\r\n"
                ).encode()
            )
            await writer.drain()
            status_line = await reader.readline()
            screen.status = int(status_line.split()[1]) if status_line else None
            while (await reader.readline()) not in (b"\r\n", b""):
                pass  # headers
            if screen.status == 200:
                await reader.readline()  # the first chunk's size
                await reader.readline()  # "retry: ..." : subscribed
    except (OSError, ValueError, IndexError) as exc:
        screen.error = repr(exc)
        opened.append(screen)
        return
    opened.append(screen)
    if screen.status == 200:
        try:
            await _read_events(screen, reader)
        except OSError as exc:
            screen.error = repr(exc)


async def _wait(screens, etr, t0, timeout):
    affected = [s for s in screens if s.affected and s.status == 200]
    deadline = t0 + timeout
    while time.time() < deadline and not all(etr in s.received for s in affected):
        await asyncio.sleep(0.02)
    latencies = sorted(s.received[etr] - t0 for s in affected if etr in s.received)
    others = sum(1 for s in screens if not s.affected and etr in s.received)
    return {
        "expected": sum(1 for s in screens if s.affected),
        "received": len(latencies),
        "missed": sum(1 for s in screens if s.affected) - len(latencies),
        "unexpected": others,
        "latencies_s": [round(x, 4) for x in latencies],
    }


async def main(spec):
    cookies = spec["cookies"]
    screens = [
        Screen(i, s["area"], s["affected"], cookies[i % len(cookies)])
        for i, s in enumerate(spec["screens"])
    ]
    limiter = asyncio.Semaphore(spec.get("connect_concurrency", 200))
    opened = []
    started = time.monotonic()
    tasks = [asyncio.create_task(_open(s, spec["port"], opened, limiter)) for s in screens]
    while len(opened) < len(screens):
        await asyncio.sleep(0.05)
    statuses = {}
    for s in screens:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    errors = [s.error for s in screens if s.error][:3]
    print(
        json.dumps(
            {
                "ready": sum(1 for s in screens if s.status == 200),
                "screens": len(screens),
                "statuses": statuses,
                "errors": errors,
                "open_seconds": round(time.monotonic() - started, 2),
            }
        ),
        flush=True,
    )
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        words = line.split()
        if not words or words[0] == "exit":
            break
        if words[0] == "wait":
            etr, t0, timeout = words[1], float(words[2]), float(words[3])
            print(json.dumps(await _wait(screens, etr, t0, timeout)), flush=True)
    for task in tasks:
        task.cancel()


if __name__ == "__main__":
    with open(sys.argv[1]) as file:
        asyncio.run(main(json.load(file)))
