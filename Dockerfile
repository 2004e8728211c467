# Outage console: production image (gunicorn; the same image runs the Celery worker and beat).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=console.settings

# postgresql-client: pg_dump and pg_restore for the backup procedure (docs/OPERATIONS.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /imports && chown app:app /imports

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY --chown=app:app . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info

USER app

# Static files are collected into the image (STATIC_ROOT, served by whitenoise).
# A throwaway key for this build step only; the running container gets SECRET_KEY from its env.
RUN SECRET_KEY="$(python -c "import secrets; print(secrets.token_urlsafe(50))")" \
    DEBUG=false ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

EXPOSE 8000

# One entrypoint for every role (web, worker QUEUES, beat, migrate, healthcheck, manage ...):
# docker-compose.yml and the production smoke test run the same script.
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/app/docker/entrypoint.sh", "healthcheck"]
