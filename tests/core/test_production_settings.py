"""Production refuses unsafe settings (issue 13, rows 7 and 15).

Settings are read once per process, so each case starts Django in a subprocess with the
environment a deployment would have."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), "
    "'subdomains': getattr(s, 'SECURE_HSTS_INCLUDE_SUBDOMAINS', False), "
    "'validators': len(s.AUTH_PASSWORD_VALIDATORS)}))"
)


def _production_env(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="console.settings",
        ALLOWED_HOSTS="console.example.org",
        STATIC_ROOT=str(BASE_DIR / "var" / "static-check"),
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "insecure-local-development-key-change-me",  # the development key in settings.py
        "insecure-compose-key-change-me",  # docker-compose.yml's fallback
    ],
)
def test_debug_off_refuses_a_missing_or_published_secret_key(key):
    result = _run(["-c", PRINT_SETTINGS], _production_env(SECRET_KEY=key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set, or is a key published" in result.stderr


def test_debug_defaults_to_off_and_https_only_sets_a_year_of_hsts_with_subdomains():
    env = _production_env(SECRET_KEY=secrets.token_urlsafe(50), HTTPS_ONLY="true")
    result = _run(["-c", PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {"debug": False, "hsts": 31536000, "subdomains": True, "validators": 4}


def test_check_deploy_passes_with_production_settings():
    env = _production_env(SECRET_KEY=secrets.token_urlsafe(50), HTTPS_ONLY="true")
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
