"""Settings for the worker processes the fault tests start: the project's settings, with a
Redis visibility timeout of seconds instead of an hour, so that a message left unacknowledged
by a killed worker is handed to the next one while the test waits (production keeps 3600 s:
that is how long a killed worker's message may wait before redelivery; the minute sweep
catches up sooner)."""

from console.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
