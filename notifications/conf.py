"""The notification settings in one place, read at call time (tests override them)."""

from django.conf import settings

from . import rules


def quiet_hours():
    return {
        "zone": settings.NOTIFY_TIME_ZONE,
        "start": rules.parse_clock(settings.NOTIFY_QUIET_START),
        "end": rules.parse_clock(settings.NOTIFY_QUIET_END),
    }


def public_url(path):
    return settings.NOTIFY_PUBLIC_URL.rstrip("/") + path


def rate_per_second(channel):
    return settings.NOTIFY_SMS_RATE if channel == rules.SMS else settings.NOTIFY_EMAIL_RATE
