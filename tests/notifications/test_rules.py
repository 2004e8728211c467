from datetime import UTC, datetime, time, timedelta

import pytest

from notifications import rules

QUIET = {"zone": "America/New_York", "start": time(21), "end": time(8)}


@pytest.mark.parametrize(
    ("utc_hour", "quiet"),
    [(12, False), (13, False), (1, True), (2, True), (12, False), (0, False), (11, True)],
)
def test_quiet_hours_cross_midnight_in_the_customers_zone(utc_hour, quiet):
    now = datetime(2026, 11, 30, utc_hour, 30, tzinfo=UTC)  # New York is UTC-5
    local = (utc_hour - 5) % 24
    expected = local >= 21 or local < 8
    assert rules.in_quiet_hours(now=now, **QUIET) is expected
    del quiet


def test_quiet_until_is_the_next_morning():
    late = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 22:00 New York
    assert rules.quiet_until(now=late, **QUIET) == datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    noon = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert rules.quiet_until(now=noon, **QUIET) == noon


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, ("GSM-7", 160, 1)),
        ("a" * 161, ("GSM-7", 161, 2)),
        ("a" * 306, ("GSM-7", 306, 2)),
        ("a" * 307, ("GSM-7", 307, 3)),
        ("€" * 80, ("GSM-7", 160, 1)),
        ("é" * 70, ("GSM-7", 70, 1)),
        ("ł" * 70, ("UCS-2", 70, 1)),
        ("ł" * 71, ("UCS-2", 71, 2)),
        ("", ("GSM-7", 0, 0)),
    ],
)
def test_sms_segments(text, expected):
    assert rules.sms_segments(text) == expected


def test_typographic_quotes_fold_to_gsm7():
    assert rules.sms_text("We\u2019re \u201cback\u201d \u2014 soon") == 'We\'re "back" - soon'


@pytest.mark.parametrize(
    ("previous", "current", "news"),
    [(None, 60, True), (0, 20, False), (0, 31, True), (60, 0, True), (0, None, False)],
)
def test_etr_margin(previous, current, news):
    base = datetime(2026, 11, 30, tzinfo=UTC)

    def at(minutes):
        return None if minutes is None else base + timedelta(minutes=minutes)

    moved = rules.etr_moved_enough(
        previous=at(previous), current=at(current), margin=timedelta(minutes=30)
    )
    assert moved is news


def test_signature_covers_url_and_every_parameter():
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    url = "https://console.example.org/notifications/sms/status/"
    signature = rules.request_signature(secret="s3cret", url=url, params=params)
    assert rules.signature_valid(secret="s3cret", url=url, params=params, signature=signature)
    tampered = {**params, "MessageStatus": "failed"}
    assert not rules.signature_valid(secret="s3cret", url=url, params=tampered, signature=signature)
    assert not rules.signature_valid(secret="other", url=url, params=params, signature=signature)


@pytest.mark.parametrize(
    ("current", "reported", "after"),
    [
        ("sent", "delivered", "delivered"),
        ("delivered", "sent", "delivered"),
        ("sending", "failed", "failed"),
        ("sent", "nonsense", "sent"),
        ("opted_out", "delivered", "opted_out"),
    ],
)
def test_receipts_never_go_backwards(current, reported, after):
    assert rules.status_after_receipt(current, reported) == after


@pytest.mark.parametrize(
    ("body", "intent"), [("STOP", "stop"), (" stop please", "stop"), ("Start", "start"), ("hi", "")]
)
def test_inbound_intent(body, intent):
    assert rules.inbound_intent(body) == intent
