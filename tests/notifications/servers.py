"""Real local servers for the two channels: an SMTP server (aiosmtpd) and an HTTP server that
implements the SMS provider's contract (the Twilio-compatible Messages API), recording what
they receive. The product talks to them exactly as to the real ones."""

import base64
import json
import socket
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self):
        self.messages = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.changed:
            self.messages.append(parsed)
            self.changed.notify_all()
        return "250 OK"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.inbox = _Inbox()
        self.port = _free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self):
        return list(self.inbox.messages)


class SmsProvider:
    """Accepts ``POST /2010-04-01/Accounts/{sid}/Messages.json`` (form fields To, From, Body,
    StatusCallback; basic auth). A repeated ``I-Twilio-Idempotency-Token`` returns the first
    answer and is not delivered again, as the real API does."""

    def __init__(self, *, sid="AC-test", token="test-auth-token", fail_to=()):
        self.sid, self.token = sid, token
        self.fail_to = set(fail_to)
        self.requests = []  # every request, repeats included
        self.delivered = {}  # idempotency token -> the form delivered
        self.per_second = {}  # unix second -> requests accepted in it (the rate limit's proof)
        self.changed = threading.Condition()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _answer(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                if len(raw) < length:
                    return (
                        None  # the sender died mid-request: nothing arrived, as at a real provider
                    )
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                expected = (
                    "Basic "
                    + base64.b64encode(f"{provider.sid}:{provider.token}".encode()).decode()
                )
                if self.headers.get("Authorization") != expected:
                    return self._answer(401, {"code": 20003, "message": "Authenticate"})
                if self.path != f"/2010-04-01/Accounts/{provider.sid}/Messages.json":
                    return self._answer(404, {"message": "Not found"})
                key = self.headers.get("I-Twilio-Idempotency-Token", "")
                if not form.get("To") or not form.get("Body"):
                    return self._answer(
                        400, {"code": 21604, "message": "A 'To' and a 'Body' are required"}
                    )
                with provider.changed:
                    provider.requests.append({"form": form, "key": key})
                    if form.get("To") in provider.fail_to:
                        return self._answer(400, {"code": 21211, "message": "Invalid To"})
                    if key not in provider.delivered:
                        provider.delivered[key] = form
                    second = int(time.time())
                    provider.per_second[second] = provider.per_second.get(second, 0) + 1
                    provider.changed.notify_all()
                return self._answer(201, {"sid": f"SM{key}", "status": "queued"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count, timeout):
        """Wait (on the server's own condition, no polling) until ``count`` distinct messages
        were delivered; True if they were."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.delivered) >= count, timeout=timeout)
