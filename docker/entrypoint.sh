#!/bin/sh
# The one way the outage console starts, in the image (Dockerfile, docker-compose.yml) and in
# the production smoke test (tests/deploy/test_production_smoke.py), so the test runs what
# production runs.
#
#   entrypoint.sh migrate                 apply migrations, then exit (a one-shot service)
#   entrypoint.sh web                     gunicorn on 0.0.0.0:$PORT (8000), $WEB_CONCURRENCY workers
#   entrypoint.sh events                  the events process (uvicorn, ASGI) on 0.0.0.0:$EVENTS_PORT
#                                         (8001): the live-call screens' pushed updates
#                                         (/call/live/events/) and the IVR's status
#                                         (GET /api/v1/ivr/status); the load balancer sends
#                                         those paths here, everything else to web
#   entrypoint.sh worker [QUEUES]         a Celery worker for QUEUES (comma-separated;
#                                         default: callbacks,workload,notifications)
#   entrypoint.sh beat                    the Celery beat scheduler (run exactly one)
#   entrypoint.sh healthcheck             exit 0 when /healthz answers 200 (Docker health check)
#   entrypoint.sh ping-worker QUEUE       exit 0 when this container's worker for QUEUE answers
#   entrypoint.sh manage ARGS...          python manage.py ARGS (imports, createsuperuser...)
#   entrypoint.sh ANYTHING ELSE           run it as given
#
# $PYTHON is the interpreter (default: python); gunicorn and celery run as its modules.
set -eu

PYTHON="${PYTHON:-python}"
APP_DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$APP_DIR"

command="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$command" in
migrate)
    exec "$PYTHON" manage.py migrate --noinput
    ;;
web)
    # Request metrics add up across gunicorn's worker processes through this folder,
    # emptied at start (django-prometheus / prometheus_client multiprocess mode).
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/console-prometheus}"
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    exec "$PYTHON" -m gunicorn console.wsgi:application --config docker/gunicorn.conf.py "$@"
    ;;
events)
    # One process holds thousands of idle streams and one Redis subscription; run more of
    # them (each its own container) rather than workers inside one.
    exec "$PYTHON" -m uvicorn console.asgi:application \
        --host "${EVENTS_HOST:-0.0.0.0}" --port "${EVENTS_PORT:-8001}" \
        --loop uvloop --http httptools --no-access-log \
        --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
        --timeout-graceful-shutdown 5 "$@"
    ;;
worker)
    queues="${1:-${WORKER_QUEUES:-callbacks,workload,notifications}}"
    [ "$#" -gt 0 ] && shift
    exec "$PYTHON" -m celery -A console --quiet worker \
        --queues "$queues" \
        --hostname "${queues%%,*}@%h" \
        --concurrency "${WORKER_CONCURRENCY:-2}" \
        --max-tasks-per-child "${WORKER_MAX_TASKS_PER_CHILD:-1000}" \
        --without-gossip \
        "$@"
    ;;
beat)
    exec "$PYTHON" -m celery -A console --quiet beat \
        --schedule "${CELERY_BEAT_SCHEDULE_FILENAME:-/tmp/celerybeat-schedule}" "$@"
    ;;
healthcheck)
    exec "$PYTHON" docker/healthcheck.py
    ;;
ping-worker)
    # The worker for queue $1 in this container answers a ping through the broker.
    exec "$PYTHON" -m celery -A console --quiet inspect ping \
        --destination "${1:-callbacks}@$(hostname)" --timeout 10
    ;;
manage)
    exec "$PYTHON" manage.py "$@"
    ;;
*)
    exec "$command" "$@"
    ;;
esac
