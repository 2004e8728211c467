"""Settings for the outage console, configured from the environment (12-factor).

With no environment at all the console runs embedded: SQLite and Celery's filesystem broker,
both under ``var/``. Production sets ``DATABASE_URL`` and ``CELERY_BROKER_URL``.
"""

import logging
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Security: debug, secret key, HTTPS (issue 13) -----------------------------------------
# DEBUG is off unless asked for: a deployment that forgets it shows no tracebacks or settings.
# `make run`, the Procfile's dev path and the test suite set DEBUG=true themselves.
DEBUG = env.bool("DEBUG", default=False)

# Keys published in this repository: fine for a laptop with DEBUG on, refused everywhere else.
DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-change-me"
PUBLISHED_SECRET_KEYS = frozenset(
    {
        DEVELOPMENT_SECRET_KEY,
        "insecure-compose-key-change-me",  # docker-compose.yml's fallback
        "change-me",
        "secret",
    }
)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and (not SECRET_KEY or SECRET_KEY in PUBLISHED_SECRET_KEYS):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set, or is a key published with the source code. With DEBUG off "
        "the console does not start on such a key: set SECRET_KEY to a long random value "
        "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set "
        "DEBUG=true on a development machine."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Behind a TLS-terminating proxy in production: HTTPS_ONLY=true sets secure cookies and HSTS
# (one year, subdomains included: the console's domain serves nothing over plain HTTP).
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=False)
if HTTPS_ONLY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header only allows preloading; the domain joins browsers' list only when submitted.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # The proxy redirects to HTTPS; Django's own redirect would loop on a proxy's health check.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# --- end security: debug, secret key, HTTPS -------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",  # security: the Content-Security-Policy header
    "axes",  # security: login throttling and lockout; after auth, as axes requires
    "django_prometheus",  # deploy: request latency and database metrics (see /metrics)
    "rest_framework",
    "drf_spectacular",
    "django_ratelimit",
    "core",
    "outages",
    "scripts_library",
    "callbacks",
    "contact",
    "planning",
    "workload",
    "reports",
    "notifications",
    "api",
    "statuspage",
    "console",
]

MIDDLEWARE = [
    # deploy: first and last, so django-prometheus times the whole request.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.LoginRequiredHtmxMiddleware",
    # --- security middleware (issue 13) ---
    "csp.middleware.CSPMiddleware",
    "core.middleware.PrivateCacheMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
    # deploy: a request id on every log line and response, and one JSON line per request.
    "core.middleware.RequestLogMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.console",
                "outages.context_processors.escalations",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'console.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    # Tests on a file, not shared-cache memory: a real worker thread then waits for locks
    # (WAL, busy timeout) instead of failing with "database table is locked".
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-console.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# Server-side prepared statements for the statements that ask for them: claim next's two, the
# events process's IVR statement (api.ivr_asgi) and the live-call lookup's (core.precompiled),
# which cost more to plan than to run.
# Django binds every other query on the client, and those are never prepared. Off behind a
# pooler in transaction mode that does not carry prepared statements across server
# connections (PgBouncer before 1.21, or without max_prepared_statements).
if IS_POSTGRES and env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Security: passwords, login throttling, Content-Security-Policy (issue 13) ------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every login (console and admin) before the password is tried.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The model backend that reads the user's role with the user (one query less a request).
    "core.backends.RoleModelBackend",
    # Sessions logged in before the backend above still name this one.
    "django.contrib.auth.backends.ModelBackend",
]
# Locked out after this many failures for one account, or from one address (whichever comes
# first), for LOGIN_LOCKOUT_MINUTES; a supervisor can unlock earlier (Security page, admin).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = env.list("LOGIN_LOCKOUT_PARAMETERS", default=["username", "ip_address"])
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Behind the proxy the client address is the first of X-Forwarded-For (set by our proxy only).
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if HTTPS_ONLY else ["REMOTE_ADDR"]
)

# No inline script anywhere (scripts live in static/); htmx's indicator style is in
# console.css (htmx.config.includeIndicatorStyles is off), so no inline <style> either.
# Bootstrap's and the admin's style="" attributes are the one allowance: style-src-attr.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# --- end security: passwords, login throttling, CSP ---------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
# Database sessions, read by one statement written once per process (core/sessions.py).
SESSION_ENGINE = "core.sessions"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- deploy: logs ----------------------------------------------------------------------
# LOG_FORMAT=json (the default when DEBUG is off): one JSON object a line on stderr, with the
# request id, the user and the Celery task id when there is one. LOG_FORMAT=text for reading
# in a terminal. Gunicorn and the Celery worker and beat log through this configuration too
# (docker/gunicorn.conf.py; CELERY_WORKER_HIJACK_ROOT_LOGGER below).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "core.jsonlog.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Each request is logged once by core.middleware.RequestLogMiddleware.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
logging.captureWarnings(True)  # Python warnings become log lines (JSON), not bare stderr
# --- end deploy: logs ------------------------------------------------------------------

# --- Business rules (from the reference documents); numbers are settings -----------------
CALLBACK_TARGET = timedelta(hours=env.float("CALLBACK_TARGET_HOURS", default=8))
CALLBACK_RETRY_WINDOW = timedelta(hours=env.float("CALLBACK_RETRY_WINDOW_HOURS", default=2))
CALLBACK_MAX_ATTEMPTS = env.int("CALLBACK_MAX_ATTEMPTS", default=2)
CALLBACK_AT_RISK_MARGIN = timedelta(minutes=env.int("CALLBACK_AT_RISK_MINUTES", default=60))
CALLBACK_AGENT_CAP = env.int("CALLBACK_AGENT_CAP", default=25)
# Calling hours on the customer's wall clock (HH:MM, every day); the zone is the centre's
# unless CALLBACK_CALLING_ZONE says otherwise (customers carry no zone of their own yet).
CALLBACK_CALLING_OPENS = env.str("CALLBACK_CALLING_OPENS", default="08:00")
CALLBACK_CALLING_CLOSES = env.str("CALLBACK_CALLING_CLOSES", default="21:00")
CALLBACK_CALLING_ZONE = env.str("CALLBACK_CALLING_ZONE", default=TIME_ZONE)
# A deadline that follows the customer's window: the window's start plus this grace.
CALLBACK_WINDOW_GRACE = timedelta(minutes=env.int("CALLBACK_WINDOW_GRACE_MINUTES", default=120))
# The least calling time a deadline moved by calling hours leaves the centre.
CALLBACK_MIN_CALLING_TIME = timedelta(minutes=env.int("CALLBACK_MIN_CALLING_MINUTES", default=60))
# A callback escalated to a team lead is due this long after the escalation.
CALLBACK_ESCALATION_TARGET = timedelta(
    minutes=env.int("CALLBACK_ESCALATION_TARGET_MINUTES", default=240)
)
OUTAGE_MISSING_ETR_AFTER = timedelta(minutes=env.int("OUTAGE_MISSING_ETR_MINUTES", default=30))

# What the scripts say about the business itself.
BRAND_NAME = env.str("BRAND_NAME", default="QuickConnect")
INBOUND_NUMBER = env.str("INBOUND_NUMBER", default="+1 800 555 0100")
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="US")
# A Unicode TrueType font for the letters' PDF (Debian's fonts-dejavu-core); Helvetica without.
LETTER_PDF_FONT = env.str(
    "LETTER_PDF_FONT", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)

# --- Cache: shared by the API's per-key rate limits, the status page's limits and the cached
# area answers. Local memory by default (``make run``: one web process); Redis in production.
CACHE_URL = env.str("CACHE_URL", default="")
_BROKER = env.str("CELERY_BROKER_URL", default="")
if not CACHE_URL and not DEBUG and _BROKER.startswith(("redis://", "rediss://")):
    CACHE_URL = _BROKER  # production without CACHE_URL: the broker's Redis, keys prefixed
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            # Django's Redis backend with one client per pool and a one-trip incr (core.cache).
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "console",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-ratelimit refuses caches it cannot trust across processes; locmem is right for one.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- The integrations API (/api/v1/) and the public status page ----------------------------
API_KEY_RATE = env.str("API_KEY_RATE", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.authentication.ApiKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": API_KEY_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "api.exceptions.handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Outage console API",
    "DESCRIPTION": (
        "For the IVR (caller status, callback requests) and the systems of record (call logs, "
        "letters, callbacks). Authenticate with an API key: `Authorization: Bearer <key>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CallbackStatusEnum": "callbacks.policy.STATUSES",
        "ChannelEnum": "callbacks.policy.CHANNELS",
    },
}
# Public status page: callback requests per address and per phone number.
STATUSPAGE_RATE_PER_ADDRESS = env.str("STATUSPAGE_RATE_PER_ADDRESS", default="10/h")
STATUSPAGE_RATE_PER_PHONE = env.str("STATUSPAGE_RATE_PER_PHONE", default="3/d")
# Outage alert sign-ups: per connection, and per phone number or email address (each one
# sends a confirmation message to that address).
STATUSPAGE_SUBSCRIBE_RATE_PER_ADDRESS = env.str(
    "STATUSPAGE_SUBSCRIBE_RATE_PER_ADDRESS", default="10/h"
)
STATUSPAGE_SUBSCRIBE_RATE_PER_DESTINATION = env.str(
    "STATUSPAGE_SUBSCRIBE_RATE_PER_DESTINATION", default="3/d"
)
STATUSPAGE_LOOKUP_RATE = env.str("STATUSPAGE_LOOKUP_RATE", default="120/m")
STATUSPAGE_CACHE_SECONDS = env.int("STATUSPAGE_CACHE_SECONDS", default=30)

# --- Celery ------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")


def filesystem_broker_options(folder):
    """Celery's filesystem transport over ``folder``, its subfolders made."""
    for sub in ("in", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "in"),
        "data_folder_out": str(folder / "in"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(BROKER_DIR)
else:
    # max_retries 0: publishing tries the broker once; a broker that is down costs a web request
    # one refused connection, not the 2 s connect timeout spent retrying (the sweep catches up).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "max_retries": 0}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Publishing must not hang a web request when the broker is down: the sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE = {
    "callbacks-sweep": {"task": "callbacks.tasks.sweep", "schedule": crontab()},
    "outages-escalation-sweep": {"task": "outages.tasks.escalation_sweep", "schedule": crontab()},
    "workload-distribute": {"task": "workload.tasks.distribute", "schedule": crontab()},
    "workload-staffing-forecast": {
        "task": "workload.tasks.staffing_forecast",
        "schedule": crontab(),
    },
    "reports-refresh-summaries": {
        "task": "reports.tasks.refresh_summaries",
        "schedule": crontab(minute="*/5"),
    },
    "api-webhooks": {"task": "api.tasks.webhooks_run", "schedule": crontab()},
    "api-idempotency-prune": {"task": "api.tasks.idempotency_prune", "schedule": crontab(minute=7)},
}

# --- deploy: queues, retention, metrics --------------------------------------------------
# One queue per kind of work, so a flood of one never delays the others and each can have its
# own workers (docker-compose.yml runs a worker per queue). Routed by task-name prefix only:
# tasks named ``notifications.*`` go to "notifications", ``workload.*`` to "workload", and
# everything else (callbacks, outages, retention) to "callbacks". A worker started without
# ``-Q`` consumes all three (the embedded ``make run`` and the test suite do).
CELERY_TASK_QUEUES = (Queue("callbacks"), Queue("workload"), Queue("notifications"))
CELERY_TASK_DEFAULT_QUEUE = "callbacks"
CELERY_TASK_ROUTES = {
    "notifications.*": {"queue": "notifications"},
    "workload.*": {"queue": "workload"},
    "*": {"queue": "callbacks"},
}
# The worker and beat log through LOGGING above (JSON in production), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=CELERY_BEAT_SCHEDULE_FILENAME
)

# Personal data (names, phones, addresses, notes) of callbacks closed this long ago is removed
# by a nightly task; the rows stay, so reports keep their counts. Erasing one customer on
# request: ``python manage.py erase_customer ACCOUNT_NUMBER --by USERNAME --reason TEXT``.
PERSONAL_DATA_RETENTION = timedelta(days=env.int("PERSONAL_DATA_RETENTION_DAYS", default=400))
CELERY_BEAT_SCHEDULE["callbacks-anonymise"] = {
    "task": "callbacks.tasks.anonymise_closed",
    "schedule": crontab(hour=3, minute=17),
}
CELERY_BEAT_SCHEDULE["outages-anonymise"] = {
    "task": "outages.tasks.anonymise_reviewed",
    "schedule": crontab(hour=3, minute=27),
}
# Each app that keeps personal data adds its own nightly task here (notifications: its
# messages' addresses and bodies) and subscribes to ``outages.events.on_customer_erased``.

# /metrics (Prometheus): refused unless the scraper sends ``Authorization: Bearer
# <METRICS_TOKEN>`` or comes from one of METRICS_ALLOWED_NETWORKS (CIDR, e.g. 10.0.0.0/8).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
# Where task failures, retries and last successes are counted (shared by every process).
# Defaults to the broker when it is Redis; empty: those metrics are not kept.
METRICS_REDIS_URL = env.str(
    "METRICS_REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
)
# Live updates pushed to the open live-call screens (server-sent events from the events
# process, ``docker/entrypoint.sh events``): outage changes go through this Redis's pub/sub.
# Defaults to the broker when it is Redis; empty (``make run``): the screens check a version.
CONSOLE_LIVE_EVENTS_REDIS_URL = env.str(
    "CONSOLE_LIVE_EVENTS_REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
)
# --- end deploy ----------------------------------------------------------------------------

# The benchmark floor view (``make bench`` only): never mounted in normal runs.
if env.bool("BENCHMARK_FLOOR", default=False):
    ROOT_URLCONF = "benchmarks.urls"

# --- Notifications (messages to affected customers) ---------------------------------------
# Email: Django's backend. SMTP in production (EMAIL_BACKEND=...smtp.EmailBackend, EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS); the console backend (the
# worker's output) for ``make run``.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
NOTIFY_EMAIL_FROM = env.str("NOTIFY_EMAIL_FROM", default="QuickConnect <outages@example.com>")
NOTIFY_EMAIL_DOMAIN = env.str("NOTIFY_EMAIL_DOMAIN", default="example.com")
# SMS: "log" appends each message to NOTIFY_SMS_LOG_FILE; "twilio" speaks the Twilio REST API
# (any compatible provider: NOTIFY_SMS_API_URL).
NOTIFY_SMS_PROVIDER = env.str("NOTIFY_SMS_PROVIDER", default="log")
NOTIFY_SMS_LOG_FILE = env.str("NOTIFY_SMS_LOG_FILE", default=str(VAR_DIR / "sms.log"))
NOTIFY_SMS_API_URL = env.str("NOTIFY_SMS_API_URL", default="https://api.twilio.com")
NOTIFY_SMS_ACCOUNT_SID = env.str("NOTIFY_SMS_ACCOUNT_SID", default="AC-local")
NOTIFY_SMS_AUTH_TOKEN = env.str("NOTIFY_SMS_AUTH_TOKEN", default="local-auth-token")
NOTIFY_SMS_FROM = env.str("NOTIFY_SMS_FROM", default="+15005550006")
NOTIFY_SMS_TIMEOUT = env.float("NOTIFY_SMS_TIMEOUT", default=10)
# Where links in messages and the provider's callbacks point (the console's public address).
NOTIFY_PUBLIC_URL = env.str("NOTIFY_PUBLIC_URL", default="http://127.0.0.1:8000")
# No SMS from NOTIFY_QUIET_START to NOTIFY_QUIET_END in the customers' zone: they wait.
NOTIFY_TIME_ZONE = env.str("NOTIFY_TIME_ZONE", default=TIME_ZONE)
NOTIFY_QUIET_START = env.str("NOTIFY_QUIET_START", default="21:00")
NOTIFY_QUIET_END = env.str("NOTIFY_QUIET_END", default="08:00")
# An ETR that moves by more than this is news worth a message.
NOTIFY_ETR_MARGIN = timedelta(minutes=env.int("NOTIFY_ETR_MARGIN_MINUTES", default=30))
# At most this many messages per address per outage per local day (restoration and callback
# messages are not capped).
NOTIFY_DAILY_CAP = env.int("NOTIFY_DAILY_CAP", default=4)
# Sends per second per provider, shared by every worker (Redis).
NOTIFY_SMS_RATE = env.int("NOTIFY_SMS_RATE", default=100)
NOTIFY_EMAIL_RATE = env.int("NOTIFY_EMAIL_RATE", default=50)
# A granted send reaches the provider within this time (the sender takes a fresh grant for one it
# could not start in time): no window of one second plus this holds more sends than the rate.
NOTIFY_RATE_MARGIN_MS = env.int("NOTIFY_RATE_MARGIN_MS", default=100)
NOTIFY_REDIS_URL = env.str(
    "NOTIFY_REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
)
NOTIFY_BATCH_SIZE = env.int("NOTIFY_BATCH_SIZE", default=500)
NOTIFY_PARALLEL_SENDERS = env.int("NOTIFY_PARALLEL_SENDERS", default=2)
# A claimed message not finished within this time (its worker died) is queued again.
NOTIFY_CLAIM_LEASE = timedelta(seconds=env.int("NOTIFY_CLAIM_LEASE_SECONDS", default=300))
NOTIFY_CONFIRM_MAX_AGE = 7 * 24 * 3600
# Notification tasks are all named "notifications.*": CELERY_TASK_ROUTES above sends them to
# their own queue, so a million-message send never delays the callback release or the sweeps.
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "notifications.sweep",
    "schedule": crontab(),
}
# Retention (PERSONAL_DATA_RETENTION above): messages' addresses and bodies, nightly.
CELERY_BEAT_SCHEDULE["notifications-anonymise"] = {
    "task": "notifications.anonymise_old",
    "schedule": crontab(hour=3, minute=37),
}
# SMS requests in flight at once per worker process (the provider's latency, not our CPU,
# bounds a sequential sender).
NOTIFY_SMS_CONCURRENCY = env.int("NOTIFY_SMS_CONCURRENCY", default=8)
