"""Operational metrics shared by every process, and the collector the /metrics view serves.

Two sources:

* counters the Celery workers keep in Redis (task failures, retries, last success per task
  name, e.g. when the minute sweep last ran), so that whichever web process answers the scrape
  sees every worker's counts and they survive a worker restart;
* each installed app's ``<app>/metrics.py`` module, if it has one, whose ``collect(now=...)``
  yields Prometheus metric families read from the database at scrape time (callbacks by
  status, overdue...). A new app adds its own module; nothing here changes.

Counting never fails the task or request it counts: Redis errors are logged and dropped."""

import functools
import logging
from importlib import import_module
from importlib.util import find_spec

import redis
from django.apps import apps
from django.conf import settings
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger(__name__)

PREFIX = "console:metrics:"
FAILURES = PREFIX + "task_failures"
RETRIES = PREFIX + "task_retries"
LAST_SUCCESS = PREFIX + "task_last_success"
# Kombu's Redis transport keeps a queue's messages in a list named after it, with one extra
# list per priority step (the name, a separator and the step): counted together.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


@functools.cache
def _client(url):
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def store():
    """The Redis client for the counters, or None when they are not kept."""
    url = settings.METRICS_REDIS_URL
    return _client(url) if url else None


def _safely(action):
    client = store()
    if client is None:
        return
    try:
        action(client)
    except redis.RedisError as exc:
        logger.warning("Metrics not recorded: %s", exc)


def record_task_failure(task_name):
    _safely(lambda client: client.hincrby(FAILURES, task_name, 1))


def record_task_retry(task_name):
    _safely(lambda client: client.hincrby(RETRIES, task_name, 1))


def record_task_success(task_name, *, at):
    _safely(lambda client: client.hset(LAST_SUCCESS, task_name, at.timestamp()))


def _decoded(mapping):
    return {key.decode(): float(value) for key, value in mapping.items()}


def _broker_client():
    url = settings.CELERY_BROKER_URL
    return _client(url) if url.startswith("redis") else None


def queue_names():
    return [queue.name for queue in settings.CELERY_TASK_QUEUES]


def collect_tasks_and_queues():
    """Queue depths from the broker and the workers' task counters."""
    broker_up = GaugeMetricFamily(
        "console_broker_up", "1 when the Redis broker answered this scrape, 0 when it did not."
    )
    depth = GaugeMetricFamily(
        "console_celery_queue_length", "Messages waiting in each Celery queue.", labels=["queue"]
    )
    broker = _broker_client()
    if broker is not None:
        try:
            with broker.pipeline(transaction=False) as pipe:
                for name in queue_names():
                    pipe.llen(name)
                    for step in _PRIORITY_STEPS:
                        pipe.llen(f"{name}{_PRIORITY_SEPARATOR}{step}")
                lengths = pipe.execute()
            per_queue = 1 + len(_PRIORITY_STEPS)
            for i, name in enumerate(queue_names()):
                depth.add_metric([name], sum(lengths[i * per_queue : (i + 1) * per_queue]))
            broker_up.add_metric([], 1)
        except redis.RedisError as exc:
            logger.warning("Broker not reachable for metrics: %s", exc)
            broker_up.add_metric([], 0)
        yield broker_up
        yield depth

    client = store()
    if client is None:
        return
    try:
        failures = _decoded(client.hgetall(FAILURES))
        retries = _decoded(client.hgetall(RETRIES))
        successes = _decoded(client.hgetall(LAST_SUCCESS))
    except redis.RedisError as exc:
        logger.warning("Task counters not readable: %s", exc)
        return
    failed = CounterMetricFamily(
        "console_celery_task_failures", "Tasks that raised, by task name.", labels=["task"]
    )
    for name, value in sorted(failures.items()):
        failed.add_metric([name], value)
    retried = CounterMetricFamily(
        "console_celery_task_retries", "Task retries, by task name.", labels=["task"]
    )
    for name, value in sorted(retries.items()):
        retried.add_metric([name], value)
    last = GaugeMetricFamily(
        "console_celery_task_last_success_timestamp_seconds",
        "When each task last finished without error (Unix time): the sweep's heartbeat.",
        labels=["task"],
    )
    for name, value in sorted(successes.items()):
        last.add_metric([name], value)
    yield failed
    yield retried
    yield last


@functools.cache
def app_collectors():
    """``collect`` of every project app (not libraries) that has a ``metrics`` module."""
    found = []
    for config in apps.get_app_configs():
        if "site-packages" in str(config.path):
            continue
        module_name = f"{config.name}.metrics"
        if find_spec(module_name) is None:
            continue
        collect = getattr(import_module(module_name), "collect", None)
        if collect is not None:
            found.append(collect)
    return found


class ProductCollector:
    """The product's own metrics for the Prometheus registry, read afresh on every scrape."""

    def collect(self):
        now = timezone.now()
        yield from collect_tasks_and_queues()
        for collect in app_collectors():
            yield from collect(now=now)
