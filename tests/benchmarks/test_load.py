"""The load generator: percentiles, and a short run against a tiny local server."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchmarks import load


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert load.percentile(values, 0.50) == 50
    assert load.percentile(values, 0.95) == 95
    assert load.percentile(values, 0.99) == 99
    assert load.percentile([7], 0.99) == 7
    assert load.percentile([], 0.5) is None


def test_summarise_in_milliseconds():
    figures = load.summarise([0.001, 0.002, 0.003, 0.004], elapsed=2.0)
    assert figures["requests"] == 4
    assert figures["per_second"] == 2.0
    assert figures["p50_ms"] == 2.0
    assert figures["max_ms"] == 4.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn's threads

    def do_GET(self):  # noqa: N802 - the stdlib's name
        body = b'<body hx-headers=\'{"X-CSRFToken": "tok123"}\'>ok</body>'
        self.send_response(200 if self.path != "/missing" else 404)
        self.send_header("Set-Cookie", "csrftoken=abc123; Path=/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        data = self.rfile.read(length).decode()
        ok = "csrfmiddlewaretoken=tok123" in data and "csrftoken=abc123" in self.headers["Cookie"]
        self.send_response(200 if ok else 403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_run_counts_requests_and_statuses_and_stops_at_max():
    server = serve()
    try:
        figures = load.run(
            {
                "port": server.server_address[1],
                "concurrency": 3,
                "duration": 5,
                "max_requests": 30,
                "requests": [{"method": "GET", "path": "/"}, {"method": "GET", "path": "/missing"}],
            }
        )
    finally:
        server.shutdown()
    assert 30 <= figures["requests"] <= 33  # the ones in flight when the limit was hit count
    assert set(figures["statuses"]) == {"200", "404"}
    assert figures["errors"] == 0
    assert figures["p50_ms"] > 0


def test_posts_carry_the_csrf_token_from_the_page():
    server = serve()
    try:
        figures = load.run(
            {
                "port": server.server_address[1],
                "concurrency": 2,
                "duration": 5,
                "max_requests": 10,
                "csrf_path": "/",
                "requests": [{"method": "POST", "path": "/file/", "form": {"name": "A"}}],
            }
        )
    finally:
        server.shutdown()
    assert figures["statuses"] == {"200": figures["requests"]}


def test_tagged_requests_get_figures_per_tag():
    server = serve()
    try:
        figures = load.run(
            {
                "port": server.server_address[1],
                "concurrency": 2,
                "duration": 5,
                "max_requests": 20,
                "requests": [
                    {"method": "GET", "path": "/", "tag": "floor"},
                    {"method": "GET", "path": "/missing", "tag": "lookup"},
                ],
            }
        )
    finally:
        server.shutdown()
    assert set(figures["by_tag"]) == {"floor", "lookup"}
    assert sum(tag["requests"] for tag in figures["by_tag"].values()) == figures["requests"]


def _two_servers_run(spread):
    first, second = serve(), serve()
    ports = [first.server_address[1], second.server_address[1]]
    try:
        figures = load.run(
            {
                "ports": ports,
                "spread": spread,
                "concurrency": 2,
                "duration": 5,
                "max_requests": 20,
                "csrf_path": "/",
                "requests": [{"method": "POST", "path": "/file/", "form": {"name": "A"}}],
            }
        )
    finally:
        first.shutdown()
        second.shutdown()
    return ports, figures


def test_requests_spread_over_several_servers_in_turn():
    # Each client alternates: the CSRF token the first server gave is posted to the second.
    ports, figures = _two_servers_run("request")
    assert figures["statuses"] == {"200": figures["requests"]}
    assert figures["spread"] == "request"
    sent = figures["by_port"]
    assert set(sent) == {str(port) for port in ports}
    assert abs(sent[str(ports[0])] - sent[str(ports[1])]) <= 2
    assert sum(sent.values()) == figures["requests_sent"]
    assert figures["client_cpu_seconds"] >= 0


def test_connections_spread_over_several_servers_one_each():
    ports, figures = _two_servers_run("connection")
    assert figures["statuses"] == {"200": figures["requests"]}
    assert all(figures["by_port"][str(port)] > 0 for port in ports)


class OtherServer(Handler):
    def do_GET(self):  # noqa: N802 - the stdlib's name
        self.send_response(202)  # which server answered shows in the status
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_requests_that_name_their_server_go_there():
    # As the load balancer routes the IVR's path to the events process, the rest to gunicorn.
    first, second = serve(), ThreadingHTTPServer(("127.0.0.1", 0), OtherServer)
    threading.Thread(target=second.serve_forever, daemon=True).start()
    ports = [first.server_address[1], second.server_address[1]]
    try:
        figures = load.run(
            {
                "ports": ports,
                "concurrency": 3,
                "duration": 5,
                "max_requests": 30,
                "requests": [
                    {"method": "GET", "path": "/", "tag": "floor", "port": ports[0]},
                    {"method": "GET", "path": "/", "tag": "ivr", "port": ports[1]},
                ],
            }
        )
    finally:
        first.shutdown()
        second.shutdown()
    assert figures["spread"] == "routed"
    assert figures["statuses"]["200"] == figures["by_tag"]["floor"]["requests"]
    assert figures["statuses"]["202"] == figures["by_tag"]["ivr"]["requests"]
    assert sum(figures["by_port"].values()) == figures["requests_sent"]
    assert abs(figures["by_port"][str(ports[0])] - figures["by_port"][str(ports[1])]) <= 3
