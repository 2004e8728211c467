"""The test suite's settings: the project's own, with the development mode the suite needs.

Settings refuse to start with DEBUG off and no SECRET_KEY. The suite runs on the development
key (DEBUG=true at import, plain static storage); pytest-django still runs every test with
``settings.DEBUG = False``, as production does. Worker processes started by tests inherit the
environment, and so the same mode."""

import os

os.environ.setdefault("DEBUG", "true")

from console.settings import *  # noqa: E402, F403

# Passwords hashed once, quickly: the default PBKDF2 hasher spends about half a second of CPU
# on each user a test creates and each login it checks. No test is about the hash itself; the
# processes that run the production settings (tests/deploy) create and check their own users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
