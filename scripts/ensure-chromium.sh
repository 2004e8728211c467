#!/usr/bin/env bash
# Make sure Debian's Chromium is installed at /usr/bin/chromium (the browser tests drive it
# through Playwright). Installs it with apt-get when missing; needs root, or sudo.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
    echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo present)"
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "ensure-chromium: $CHROMIUM is missing and installing it needs root." >&2
    echo "  Run as root (or with passwordless sudo):" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends chromium" >&2
    exit 1
fi

echo "chromium: not found, installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends chromium

if [[ ! -x "$CHROMIUM" ]]; then
    echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo installed)"
