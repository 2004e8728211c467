"""The container health check: GET /healthz on this container's gunicorn, exit 0 on 200.

It sends a Host header the settings allow (the first ALLOWED_HOSTS entry that names a host)
and X-Forwarded-Proto: https (what the TLS proxy sends), so the check passes whatever
ALLOWED_HOSTS and HTTPS_ONLY are, without exempting any path from host validation."""

import os
import sys
import urllib.request


def allowed_host():
    for entry in os.environ.get("ALLOWED_HOSTS", "").split(","):
        entry = entry.strip()
        if entry and entry != "*":
            # ".example.com" allows every subdomain: any one of them is allowed.
            return f"health{entry}" if entry.startswith(".") else entry
    return "localhost"


def main():
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": allowed_host(), "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"healthcheck failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
