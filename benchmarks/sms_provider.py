"""The SMS provider of the send benchmark: the same Twilio-compatible contract as the tests'
provider (``tests/notifications/servers.py``: basic auth, the Messages path, To and Body
required, a repeated ``I-Twilio-Idempotency-Token`` delivered once), on one asyncio event loop
with a hand-written HTTP/1.1 parser, so that the provider is not what the benchmark measures.

``serve(...)`` runs in a process of its own; ``drive(...)`` is the floor: the most requests a
second this provider answers on this machine, sent by a bare client (pre-built requests on
kept-alive connections, no product code)."""

import asyncio
import base64
import json
import os
import selectors
import socket
import threading
import time
from urllib.parse import parse_qs

PATH_TEMPLATE = "/2010-04-01/Accounts/{sid}/Messages.json"


class _Counts:
    def __init__(self, *, sid, token):
        self.path = PATH_TEMPLATE.format(sid=sid).encode()
        self.auth = ("Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()).encode()
        self.requests = 0
        self.delivered = set()
        self.per_second = {}  # unix second -> requests accepted in it (the rate limit's proof)


def _response(status, reason, payload):
    body = json.dumps(payload).encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


class _Protocol(asyncio.Protocol):
    def __init__(self, counts):
        self.counts = counts
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].split(b"\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buffer) < end + 4 + length:
                return  # the rest of the body is still on its way (or never comes)
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(self._answer(head[0], headers, body))
            if headers.get(b"connection", b"").lower() == b"close":
                self.transport.close()
                return

    def _answer(self, request_line, headers, body):
        counts = self.counts
        parts = request_line.split(b" ")
        if headers.get(b"authorization") != counts.auth:
            return _response(401, "Unauthorized", {"code": 20003, "message": "Authenticate"})
        if len(parts) < 2 or parts[0] != b"POST" or parts[1] != counts.path:
            return _response(404, "Not Found", {"message": "Not found"})
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if not form.get("To") or not form.get("Body"):
            return _response(400, "Bad Request", {"code": 21604, "message": "To and Body"})
        key = headers.get(b"i-twilio-idempotency-token", b"").decode()
        counts.requests += 1
        counts.delivered.add(key)
        second = int(time.time())
        counts.per_second[second] = counts.per_second.get(second, 0) + 1
        return _response(201, "Created", {"sid": f"SM{key}", "status": "queued"})


def serve(*, sid, token, url_queue, stop, stats_queue):
    """Serve until ``stop`` is set; then put the counts and this process's CPU seconds."""
    counts = _Counts(sid=sid, token=token)
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(lambda: _Protocol(counts), "127.0.0.1", 0, backlog=1024)
    )
    port = server.sockets[0].getsockname()[1]
    url_queue.put(f"http://127.0.0.1:{port}")
    threading.Thread(target=lambda: (stop.wait(), loop.call_soon_threadsafe(loop.stop))).start()
    cpu_before = time.process_time()
    loop.run_forever()
    cpu = time.process_time() - cpu_before
    server.close()
    stats_queue.put(
        {
            "requests": counts.requests,
            "delivered": len(counts.delivered),
            "per_second": counts.per_second,
            "cpu_seconds": cpu,
        }
    )


def _bare_client(url, *, sid, token, count, connections, result_queue):
    """``count`` requests over ``connections`` kept-alive sockets, each with one request in
    flight at a time (as the product's sender), from one thread with ``select``."""
    host, port = url.removeprefix("http://").split(":")
    auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
    body = b"To=%2B12025550100&From=%2B15005550006&Body=Service+outage+in+your+area"
    sockets = [socket.create_connection((host, int(port))) for _ in range(connections)]
    for sock in sockets:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(number):
        return (
            f"POST {PATH_TEMPLATE.format(sid=sid)} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Basic {auth}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"I-Twilio-Idempotency-Token: bare-{os.getpid()}-{number}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    sent = 0
    began = time.perf_counter()
    pending = {}
    for sock in sockets:
        sock.sendall(request(sent))
        pending[sock] = b""
        sent += 1
    answered = 0
    selector_map = {sock.fileno(): sock for sock in sockets}
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            selector.register(sock, selectors.EVENT_READ)
        while answered < count:
            for key, _ in selector.select():
                sock = selector_map[key.fd]
                data = sock.recv(65536)
                pending[sock] += data
                while b"\r\n\r\n" in pending[sock]:
                    head, _, rest = pending[sock].partition(b"\r\n\r\n")
                    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                    if len(rest) < length:
                        break
                    pending[sock] = rest[length:]
                    answered += 1
                    if sent < count:
                        sock.sendall(request(sent))
                        sent += 1
    elapsed = time.perf_counter() - began
    for sock in sockets:
        sock.close()
    result_queue.put({"requests": answered, "seconds": elapsed})


def drive(context, *, sid, token, count, connections, clients):
    """The provider's ceiling: a fresh provider answering ``count`` requests from ``clients``
    bare client processes; requests a second, and the provider's CPU per request."""
    url_queue, stats_queue, result_queue = context.Queue(), context.Queue(), context.Queue()
    stop = context.Event()
    server = context.Process(
        target=serve,
        kwargs={
            "sid": sid,
            "token": token,
            "url_queue": url_queue,
            "stop": stop,
            "stats_queue": stats_queue,
        },
    )
    server.start()
    url = url_queue.get(timeout=30)
    each = count // clients
    drivers = [
        context.Process(
            target=_bare_client,
            args=(url,),
            kwargs={
                "sid": sid,
                "token": token,
                "count": each,
                "connections": connections,
                "result_queue": result_queue,
            },
        )
        for _ in range(clients)
    ]
    began = time.perf_counter()
    for driver in drivers:
        driver.start()
    results = [result_queue.get(timeout=300) for _ in drivers]
    elapsed = time.perf_counter() - began
    for driver in drivers:
        driver.join(timeout=30)
    stop.set()
    stats = stats_queue.get(timeout=60)
    server.join(timeout=30)
    answered = sum(r["requests"] for r in results)
    return {
        "requests": answered,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(answered / elapsed),
        "provider_cpu_us_per_request": round(1e6 * stats["cpu_seconds"] / max(1, answered), 1),
        "bare_clients": clients,
        "connections_per_client": connections,
    }
