"""The test suite's settings: the project's own, with the development mode the suite needs.

Settings refuse to start with DEBUG off and no SECRET_KEY. The suite runs on the development
key (DEBUG=true at import, plain static storage); pytest-django still runs every test with
``settings.DEBUG = False``, as production does. Worker processes started by tests inherit the
environment, and so the same mode."""

import os

os.environ.setdefault("DEBUG", "true")

from console.settings import *  # noqa: E402, F403
