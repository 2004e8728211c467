"""The two channels and their providers.

Email goes through Django's email backend (``EMAIL_BACKEND``: SMTP in production, the console
backend for ``make run``). SMS goes through the provider named by ``NOTIFY_SMS_PROVIDER``:

- ``log``: appends each message as one JSON line to ``NOTIFY_SMS_LOG_FILE`` (``make run``);
- ``twilio``: the Twilio-compatible REST contract, ``POST {NOTIFY_SMS_API_URL}/2010-04-01/
  Accounts/{sid}/Messages.json`` with form fields To, From, Body, StatusCallback, HTTP basic
  auth (account SID, auth token), and an ``I-Twilio-Idempotency-Token`` header (the message's
  id) so that a message re-sent after a crash is not delivered twice.

A send answers with a ``Result``: accepted (with the provider's id), or refused permanently
(a bad number: the message fails), or not now (network, 5xx, 429: the message waits and is
tried again).
"""

import base64
import contextlib
import http.client
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

ACCEPTED = "accepted"
REFUSED = "refused"
RETRY = "retry"


@dataclass(frozen=True)
class Result:
    outcome: str
    provider_id: str = ""
    error: str = ""


# --- SMS ---------------------------------------------------------------------------------------


class LogSmsProvider:
    """Writes each SMS to a file instead of sending it: what ``make run`` uses."""

    name = "log"

    def __init__(self):
        self.path = Path(settings.NOTIFY_SMS_LOG_FILE)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def send(self, *, idempotency_key, to, body, status_callback):
        line = json.dumps(
            {
                "at": timezone.now().isoformat(timespec="seconds"),
                "id": idempotency_key,
                "from": settings.NOTIFY_SMS_FROM,
                "to": to,
                "body": body,
            }
        )
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return Result(ACCEPTED, provider_id=f"LOG-{idempotency_key}")


class TwilioSmsProvider:
    """The Twilio-compatible REST API over one kept-alive HTTP(S) connection per thread."""

    name = "twilio"

    def __init__(self):
        url = urlsplit(settings.NOTIFY_SMS_API_URL)
        self.scheme, self.host = url.scheme, url.netloc
        self.base = url.path.rstrip("/")
        sid, token = settings.NOTIFY_SMS_ACCOUNT_SID, settings.NOTIFY_SMS_AUTH_TOKEN
        self.path = f"{self.base}/2010-04-01/Accounts/{sid}/Messages.json"
        self.auth = "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()
        self.local = threading.local()

    def _connection(self):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            kind = (
                http.client.HTTPSConnection
                if self.scheme == "https"
                else http.client.HTTPConnection
            )
            connection = kind(self.host, timeout=settings.NOTIFY_SMS_TIMEOUT)
            self.local.connection = connection
        return connection

    def _drop(self):
        connection = getattr(self.local, "connection", None)
        if connection is not None:
            connection.close()
        self.local.connection = None

    def send(self, *, idempotency_key, to, body, status_callback):
        form = {"To": to, "From": settings.NOTIFY_SMS_FROM, "Body": body}
        if status_callback:
            form["StatusCallback"] = status_callback
        # Bytes: http.client then sends headers and body in one packet (no Nagle delay).
        payload = urlencode(form).encode()
        headers = {
            "Authorization": self.auth,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "I-Twilio-Idempotency-Token": idempotency_key,
        }
        for attempt in range(2):  # a kept-alive connection the server closed: reconnect once
            try:
                connection = self._connection()
                connection.request("POST", self.path, body=payload, headers=headers)
                response = connection.getresponse()
                raw = response.read()
                break
            except (OSError, http.client.HTTPException) as exc:
                self._drop()
                if attempt:
                    return Result(RETRY, error=f"provider unreachable: {exc}"[:300])
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        if response.status in (200, 201):
            return Result(ACCEPTED, provider_id=str(answer.get("sid", "")))
        message = str(answer.get("message") or raw[:200])
        if response.status == 429 or response.status >= 500:
            return Result(RETRY, error=f"provider {response.status}: {message}"[:300])
        return Result(REFUSED, error=f"provider {response.status}: {message}"[:300])


_PROVIDERS = {"log": LogSmsProvider, "twilio": TwilioSmsProvider}
_cached = {}


def sms_provider():
    """The configured SMS provider, one per process and settings."""
    key = (
        settings.NOTIFY_SMS_PROVIDER,
        settings.NOTIFY_SMS_API_URL,
        settings.NOTIFY_SMS_ACCOUNT_SID,
        settings.NOTIFY_SMS_LOG_FILE,
    )
    if key not in _cached:
        _cached.clear()
        _cached[key] = _PROVIDERS[settings.NOTIFY_SMS_PROVIDER]()
    return _cached[key]


# --- email -------------------------------------------------------------------------------------


class EmailSender:
    """One open connection of Django's email backend for a batch of messages."""

    name = "email"

    def __init__(self):
        self.connection = get_connection(fail_silently=False)
        self.opened = False

    def send(self, *, message_id, to, subject, body, unsubscribe_url):
        email = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.NOTIFY_EMAIL_FROM,
            to=[to],
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Message-ID": f"<notice-message-{message_id}@{settings.NOTIFY_EMAIL_DOMAIN}>",
                "Auto-Submitted": "auto-generated",
            },
            connection=self.connection,
        )
        try:
            if not self.opened:
                self.connection.open()
                self.opened = True
            sent = self.connection.send_messages([email])
        except (OSError, Exception) as exc:  # noqa: BLE001 - any SMTP failure: try again later
            self.close()
            return Result(RETRY, error=f"email not sent: {exc}"[:300])
        if not sent:
            return Result(RETRY, error="email backend refused the message")
        return Result(ACCEPTED, provider_id=f"email-{message_id}")

    def close(self):
        if self.opened:
            with contextlib.suppress(Exception):  # closing a broken connection
                self.connection.close()
            self.opened = False
