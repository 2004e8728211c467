import pytest

from .servers import SmsProvider, SmtpServer


@pytest.fixture
def smtp_server(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        yield server


@pytest.fixture
def sms_server(settings):
    with SmsProvider() as server:
        settings.NOTIFY_SMS_PROVIDER = "twilio"
        settings.NOTIFY_SMS_API_URL = server.url
        settings.NOTIFY_SMS_ACCOUNT_SID = server.sid
        settings.NOTIFY_SMS_AUTH_TOKEN = server.token
        yield server


@pytest.fixture(autouse=True)
def _daytime_rules(settings):
    """Quiet hours from 21:00 to 08:00 in New York; the tests travel in time to suit."""
    settings.NOTIFY_TIME_ZONE = "America/New_York"
    settings.NOTIFY_QUIET_START = "21:00"
    settings.NOTIFY_QUIET_END = "08:00"
    settings.NOTIFY_REDIS_URL = ""
    settings.NOTIFY_SMS_RATE = 10_000
    settings.NOTIFY_EMAIL_RATE = 10_000
