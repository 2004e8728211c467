"""The load generator: a separate process, standard library only.

``python -m benchmarks.load SPEC.json`` runs ``concurrency`` client threads against
127.0.0.1, each on its own keep-alive connection (``http.client``), cycling through the spec's
requests until ``duration`` seconds have passed or ``max_requests`` have completed, whichever is
first, after ``warmup`` seconds that are not counted. Requests started in the measured window
count when they finish, and the window ends with the last of them. Prints one JSON line: latencies
(p50/p95/p99/mean/max in ms), throughput and status counts.

The spec (JSON)::

    {"port": 8123, "concurrency": 8, "duration": 5, "max_requests": 10000, "warmup": 1,
     "cookies": ["sessionid=..."],          # one per client, used round-robin
     "csrf_path": "/",                      # optional: GET once per client for a CSRF token
     "requests": [{"method": "GET", "path": "/?q=...", "headers": {"HX-Request": "true"}},
                  {"method": "POST", "path": "/x/", "form": {"a": "b"}}],
     "stop_on_status": 204}                 # optional: a client stops when it sees this status

A request may carry a ``tag``: the result then also has figures per tag (``by_tag``), for
kinds of request interleaved in one run (measured at the same moments, under the same load).

Several servers (the scale-out scenario): ``"ports": [8123, 8124]`` instead of ``port``, and
``"spread"``: ``"connection"`` (the default: client i keeps one connection to
``ports[i % len(ports)]``, as a load balancer pins a keep-alive connection to one backend) or
``"request"`` (each client keeps a connection to every server and sends its requests to them
in turn, so a session and CSRF token one server issued are used on the others). The result
then counts the requests sent to each port (``by_port``). A request may instead name its
server (``"port": 8124``, one of ``ports``): each client then keeps a connection to every
server and sends each request where it says (the events process's paths beside gunicorn's,
as a load balancer routes them). It always says how many requests
were sent in all, warm-up and CSRF fetches included (``requests_sent``), and how much CPU the
load generator itself used (``client_cpu_seconds``): the share of the machine the servers did
not get.
"""

import http.client
import itertools
import json
import re
import sys
import threading
import time
from urllib.parse import urlencode

HOST = "127.0.0.1"
CSRF_IN_PAGE = re.compile(r'(?:csrfmiddlewaretoken" value="|"X-CSRFToken": ")([A-Za-z0-9]+)')
CSRF_COOKIE = re.compile(r"csrftoken=([A-Za-z0-9]+)")
TIMEOUT = 30


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, round(fraction * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarise(latencies, elapsed):
    """Figures in milliseconds from latencies in seconds."""
    ordered = sorted(latencies)
    count = len(ordered)

    def ms(value):
        return None if value is None else round(value * 1000, 3)

    return {
        "requests": count,
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed, 1) if elapsed > 0 else None,
        "p50_ms": ms(percentile(ordered, 0.50)),
        "p95_ms": ms(percentile(ordered, 0.95)),
        "p99_ms": ms(percentile(ordered, 0.99)),
        "mean_ms": ms(sum(ordered) / count) if count else None,
        "max_ms": ms(ordered[-1]) if count else None,
    }


class Client:
    """One simulated user: a keep-alive connection to each of its servers (one, usually)."""

    def __init__(self, port, cookie, *, rotate=False):
        self.ports = list(port) if isinstance(port, list | tuple) else [port]
        self.cookie = cookie
        self.csrf = ""
        self.rotate = rotate  # send each request to the next server in turn
        self.turn = 0
        self.conns = [http.client.HTTPConnection(HOST, p, timeout=TIMEOUT) for p in self.ports]
        self.sent = dict.fromkeys(self.ports, 0)

    @property
    def port(self):
        return self.ports[self.turn % len(self.ports)]

    def request(self, method, path, form=None, extra_headers=None, port=None):
        if port is not None:  # the request names its server
            index = self.ports.index(port)
        else:
            index = self.turn % len(self.ports)
            if self.rotate:
                self.turn += 1
        port = self.ports[index]
        self.sent[port] += 1
        headers = {"Cookie": self.cookie, "Host": f"{HOST}:{port}", **(extra_headers or {})}
        body = None
        if form is not None:
            fields = dict(form)
            if self.csrf:
                fields["csrfmiddlewaretoken"] = self.csrf
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conns[index].request(method, path, body=body, headers=headers)
                response = self.conns[index].getresponse()
                data = response.read()
                return response.status, data, response.getheader("Set-Cookie") or ""
            except (http.client.HTTPException, ConnectionError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.conns[index].close()
                self.conns[index] = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def fetch_csrf(self, path):
        status, data, set_cookie = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} for a CSRF token answered {status}")
        cookie = CSRF_COOKIE.search(set_cookie)
        token = CSRF_IN_PAGE.search(data.decode("utf-8", "replace"))
        if not cookie or not token:
            raise RuntimeError(f"GET {path} gave no CSRF cookie and token")
        self.cookie = f"{self.cookie}; csrftoken={cookie.group(1)}"
        self.csrf = token.group(1)


def run(spec):
    ports = spec.get("ports") or [spec["port"]]
    by_request = spec.get("spread", "connection") == "request"
    cpu_began = time.process_time()
    requests = spec["requests"]
    cookies = spec.get("cookies") or [""]
    concurrency = spec.get("concurrency", 1)
    duration = spec.get("duration", 5.0)
    max_requests = spec.get("max_requests", 10**9)
    warmup = spec.get("warmup", 0.0)
    stop_on = spec.get("stop_on_status")
    routed = any("port" in item for item in spec["requests"])  # each request names its server
    clients = [
        Client(
            ports if by_request or routed else ports[i % len(ports)],
            cookies[i % len(cookies)],
            rotate=by_request,
        )
        for i in range(concurrency)
    ]
    if spec.get("csrf_path"):
        for client in clients:
            client.fetch_csrf(spec["csrf_path"])

    counter = itertools.count()
    lock = threading.Lock()
    statuses = {}
    latencies = []
    tagged = {}
    errors = []
    state = {"measuring": warmup <= 0, "stop": False, "started": 0}
    last_end = [0.0]
    start_barrier = threading.Barrier(concurrency + 1)

    def work(client):
        own = []
        own_status = {}
        own_tags = {}
        start_barrier.wait()
        while not state["stop"]:
            item = requests[next(counter) % len(requests)]
            measuring = state["measuring"]
            if measuring:
                with lock:
                    state["started"] += 1
                    if state["started"] >= max_requests:
                        state["stop"] = True
            began = time.perf_counter()
            try:
                status, _, _ = client.request(
                    item["method"],
                    item["path"],
                    item.get("form"),
                    item.get("headers"),
                    port=item.get("port"),
                )
            except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
                with lock:
                    errors.append(repr(exc))
                status = "error"
            ended = time.perf_counter()
            if measuring:  # started in the measured window: counted, even if it ends after
                own.append(ended - began)
                own_status[status] = own_status.get(status, 0) + 1
                if "tag" in item:
                    own_tags.setdefault(item["tag"], []).append(ended - began)
                last_end[0] = max(last_end[0], ended)
            if stop_on is not None and status == stop_on:
                break
        with lock:
            for tag, values in own_tags.items():
                tagged.setdefault(tag, []).extend(values)
            latencies.extend(own)
            for key, value in own_status.items():
                statuses[str(key)] = statuses.get(str(key), 0) + value

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    start_barrier.wait()
    if warmup > 0:
        time.sleep(warmup)
        state["measuring"] = True
    began = time.perf_counter()
    deadline = began + duration
    while time.perf_counter() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.02)
    state["stop"] = True  # no new requests; those in flight finish and count
    for thread in threads:
        thread.join(TIMEOUT + 5)
    elapsed = max(last_end[0], began) - began
    result = summarise(latencies, elapsed)
    result.update(concurrency=concurrency, statuses=statuses, errors=len(errors))
    if tagged:  # requests of several kinds interleaved in one run: figures per kind
        result["by_tag"] = {tag: summarise(values, elapsed) for tag, values in tagged.items()}
    if errors:
        result["first_error"] = errors[0]
    result["requests_sent"] = sum(sum(client.sent.values()) for client in clients)
    if len(ports) > 1:
        result["by_port"] = {
            str(port): sum(client.sent[port] for client in clients if port in client.sent)
            for port in ports
        }
        result["spread"] = "routed" if routed else "request" if by_request else "connection"
    result["client_cpu_seconds"] = round(time.process_time() - cpu_began, 3)
    return result


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0], encoding="utf-8") as handle:
        spec = json.load(handle)
    print(json.dumps(run(spec)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
