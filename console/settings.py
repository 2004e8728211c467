"""Settings for the outage console, configured from the environment (12-factor).

With no environment at all the console runs embedded: SQLite and Celery's filesystem broker,
both under ``var/``. Production sets ``DATABASE_URL`` and ``CELERY_BROKER_URL``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Behind a TLS-terminating proxy in production: HTTPS_ONLY=true sets secure cookies and HSTS.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=False)
if HTTPS_ONLY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=3600)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

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
    "core",
    "outages",
    "scripts_library",
    "callbacks",
    "workload",
    "notifications",
    "console",
]

MIDDLEWARE = [
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Business rules (from the reference documents); numbers are settings -----------------
CALLBACK_TARGET = timedelta(hours=env.float("CALLBACK_TARGET_HOURS", default=8))
CALLBACK_RETRY_WINDOW = timedelta(hours=env.float("CALLBACK_RETRY_WINDOW_HOURS", default=2))
CALLBACK_MAX_ATTEMPTS = env.int("CALLBACK_MAX_ATTEMPTS", default=2)
CALLBACK_AT_RISK_MARGIN = timedelta(minutes=env.int("CALLBACK_AT_RISK_MINUTES", default=60))
CALLBACK_AGENT_CAP = env.int("CALLBACK_AGENT_CAP", default=25)
OUTAGE_MISSING_ETR_AFTER = timedelta(minutes=env.int("OUTAGE_MISSING_ETR_MINUTES", default=30))

# What the scripts say about the business itself.
BRAND_NAME = env.str("BRAND_NAME", default="QuickConnect")
INBOUND_NUMBER = env.str("INBOUND_NUMBER", default="+1 800 555 0100")
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="US")

# --- Celery ------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("in", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
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
}

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
NOTIFY_REDIS_URL = env.str(
    "NOTIFY_REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
)
NOTIFY_BATCH_SIZE = env.int("NOTIFY_BATCH_SIZE", default=500)
NOTIFY_PARALLEL_SENDERS = env.int("NOTIFY_PARALLEL_SENDERS", default=2)
# A claimed message not finished within this time (its worker died) is queued again.
NOTIFY_CLAIM_LEASE = timedelta(seconds=env.int("NOTIFY_CLAIM_LEASE_SECONDS", default=300))
NOTIFY_CONFIRM_MAX_AGE = 7 * 24 * 3600
# Notification work has its own queue so a million-message send never delays the callback
# release or the sweeps: every task named "notifications.*" goes there.
CELERY_TASK_ROUTES = {"notifications.*": {"queue": "notifications"}}
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "notifications.sweep",
    "schedule": crontab(),
}
# SMS requests in flight at once per worker process (the provider's latency, not our CPU,
# bounds a sequential sender).
NOTIFY_SMS_CONCURRENCY = env.int("NOTIFY_SMS_CONCURRENCY", default=8)
