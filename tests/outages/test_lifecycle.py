"""The outage lifecycle rules, every status pair and every time boundary."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from outages import lifecycle as lc
from outages.lifecycle import (
    CLOSED,
    IDENTIFIED,
    INVESTIGATING,
    MISSING_ETR,
    MONITORING,
    PAST_ETR,
    RESTORED,
    TransitionRefused,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
SEC = timedelta(seconds=1)

# --- constants ------------------------------------------------------------------------------


def test_statuses_in_lifecycle_order():
    assert lc.STATUSES == ("investigating", "identified", "monitoring", "restored", "closed")


def test_open_statuses_are_the_three_before_restoration():
    assert frozenset({"investigating", "identified", "monitoring"}) == lc.OPEN_STATUSES
    assert isinstance(lc.OPEN_STATUSES, frozenset)


@pytest.mark.parametrize(
    ("mapping", "keys"),
    [
        (lc.STATUS_LABELS, lc.STATUSES),
        (lc.KIND_LABELS, lc.KINDS),
        (lc.SEVERITY_LABELS, lc.SEVERITIES),
        (lc.ESCALATION_LABELS, (PAST_ETR, MISSING_ETR)),
    ],
    ids=["statuses", "kinds", "severities", "escalations"],
)
def test_every_value_has_a_readable_label(mapping, keys):
    assert tuple(mapping) == tuple(keys)
    for label in mapping.values():
        assert label.strip() and label[0].isupper()


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (lc.INVESTIGATING, "Investigating"),
        (lc.CLOSED, "Closed"),
        (lc.NETWORK, "Network (named areas)"),
        (lc.SYSTEMS, "Internal systems (all areas, accounts unreadable)"),
        (lc.MINOR, "Minor"),
        (lc.MAJOR, "Major"),
        (lc.CRITICAL, "Critical"),
    ],
)
def test_labels(value, label):
    labels = lc.STATUS_LABELS | lc.KIND_LABELS | lc.SEVERITY_LABELS
    assert labels[value] == label


def test_kinds_and_severities():
    assert lc.KINDS == ("network", "systems")
    assert lc.SEVERITIES == ("minor", "major", "critical")


# --- transitions: the whole table -----------------------------------------------------------

ALLOWED = {
    (INVESTIGATING, INVESTIGATING),
    (INVESTIGATING, IDENTIFIED),
    (INVESTIGATING, MONITORING),
    (INVESTIGATING, RESTORED),
    (IDENTIFIED, IDENTIFIED),
    (IDENTIFIED, MONITORING),
    (IDENTIFIED, RESTORED),
    (MONITORING, MONITORING),
    (MONITORING, RESTORED),
    (RESTORED, RESTORED),
    (RESTORED, CLOSED),
    (RESTORED, INVESTIGATING),
}
ALL_PAIRS = [(a, b) for a in lc.STATUSES for b in lc.STATUSES]


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transition_passes(current, target):
    assert lc.check_transition(current, target) is None


REFUSED = [
    (INVESTIGATING, CLOSED, "Only a restored outage can be closed."),
    (IDENTIFIED, CLOSED, "Only a restored outage can be closed."),
    (MONITORING, CLOSED, "Only a restored outage can be closed."),
    (
        IDENTIFIED,
        INVESTIGATING,
        "An outage cannot go back from Identified to Investigating; "
        "post an update at the current status instead.",
    ),
    (
        MONITORING,
        INVESTIGATING,
        "An outage cannot go back from Monitoring to Investigating; "
        "post an update at the current status instead.",
    ),
    (
        MONITORING,
        IDENTIFIED,
        "An outage cannot go back from Monitoring to Identified; "
        "post an update at the current status instead.",
    ),
    (
        RESTORED,
        IDENTIFIED,
        "A restored outage cannot go back to Identified; reopen it as Investigating instead.",
    ),
    (
        RESTORED,
        MONITORING,
        "A restored outage cannot go back to Monitoring; reopen it as Investigating instead.",
    ),
] + [
    (CLOSED, target, "A closed outage cannot change; declare a new one.") for target in lc.STATUSES
]


@pytest.mark.parametrize(("current", "target", "message"), REFUSED)
def test_refused_transition_says_why(current, target, message):
    with pytest.raises(TransitionRefused) as refused:
        lc.check_transition(current, target)
    assert refused.value.message == message
    assert str(refused.value) == message


def test_table_covers_every_pair():
    refused = {(current, target) for current, target, _ in REFUSED}
    assert ALLOWED.isdisjoint(refused)
    assert ALLOWED | refused == set(ALL_PAIRS)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (INVESTIGATING, (IDENTIFIED, MONITORING, RESTORED)),
        (IDENTIFIED, (MONITORING, RESTORED)),
        (MONITORING, (RESTORED,)),
        (RESTORED, (CLOSED, INVESTIGATING)),
        (CLOSED, ()),
    ],
)
def test_allowed_next(current, expected):
    assert lc.allowed_next(current) == expected


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_allowed_next_agrees_with_check_transition(current, target):
    """A button is shown exactly for the moves that pass, the same status aside."""
    if target == current:
        assert target not in lc.allowed_next(current)
        return
    shown = target in lc.allowed_next(current)
    try:
        lc.check_transition(current, target)
    except TransitionRefused:
        passes = False
    else:
        passes = True
    assert shown == passes


@pytest.mark.parametrize("status", sorted(lc.OPEN_STATUSES))
def test_every_open_status_may_go_straight_to_restored(status):
    assert RESTORED in lc.allowed_next(status)
    lc.check_transition(status, RESTORED)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("resolved", RESTORED),
        (INVESTIGATING, "resolved"),
        ("", INVESTIGATING),
        ("Investigating", IDENTIFIED),
        (CLOSED, "open"),
    ],
)
def test_unknown_status_names_are_refused(current, target):
    with pytest.raises(TransitionRefused, match="Unknown outage status"):
        lc.check_transition(current, target)


@pytest.mark.parametrize("status", ["resolved", "", "OPEN", "Closed"])
def test_allowed_next_refuses_unknown_status(status):
    with pytest.raises(TransitionRefused) as refused:
        lc.allowed_next(status)
    assert refused.value.message == f'Unknown outage status "{status}".'


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS + [("resolved", INVESTIGATING)])
def test_is_reopen_only_for_restored_to_investigating(current, target):
    assert lc.is_reopen(current, target) == (current == RESTORED and target == INVESTIGATING)


# --- restoration time -----------------------------------------------------------------------

NOW = T0 + 3 * HOUR


@pytest.mark.parametrize(
    "restored_at",
    [
        T0,  # restored the moment it started
        T0 + SEC,
        NOW - HOUR,
        NOW,
        NOW + 59 * SEC,  # clock skew
        NOW + lc.RESTORED_AT_TOLERANCE,  # the edge of the tolerance
    ],
)
def test_restored_at_accepted(restored_at):
    assert lc.check_restored_at(restored_at=restored_at, started_at=T0, now=NOW) is None


@pytest.mark.parametrize(
    ("restored_at", "message"),
    [
        (NOW + lc.RESTORED_AT_TOLERANCE + SEC, "The restoration time is in the future."),
        (NOW + HOUR, "The restoration time is in the future."),
        (T0 - SEC, "The restoration time is before the outage started."),
        (T0 - timedelta(days=1), "The restoration time is before the outage started."),
    ],
)
def test_restored_at_refused(restored_at, message):
    with pytest.raises(TransitionRefused) as refused:
        lc.check_restored_at(restored_at=restored_at, started_at=T0, now=NOW)
    assert refused.value.message == message


def test_tolerance_is_sixty_seconds():
    assert timedelta(seconds=60) == lc.RESTORED_AT_TOLERANCE


def test_restored_at_compares_instants_across_zones():
    paris = timezone(timedelta(hours=1))
    # 09:30 in Paris is 08:30 UTC: before the 09:00 UTC start.
    with pytest.raises(TransitionRefused):
        lc.check_restored_at(
            restored_at=datetime(2026, 3, 2, 9, 30, tzinfo=paris), started_at=T0, now=NOW
        )
    lc.check_restored_at(
        restored_at=datetime(2026, 3, 2, 10, 30, tzinfo=paris), started_at=T0, now=NOW
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"restored_at": T0.replace(tzinfo=None), "started_at": T0, "now": NOW},
        {"restored_at": T0, "started_at": T0.replace(tzinfo=None), "now": NOW},
        {"restored_at": T0, "started_at": T0, "now": NOW.replace(tzinfo=None)},
    ],
)
def test_naive_datetimes_are_a_programming_error(kwargs):
    with pytest.raises(ValueError, match="aware"):
        lc.check_restored_at(**kwargs)


# --- estimated restoration time -------------------------------------------------------------


@pytest.mark.parametrize(
    "etr",
    [None, T0, T0 + SEC, T0 + 4 * HOUR, T0 + timedelta(days=3)],
)
def test_etr_accepted(etr):
    assert lc.check_etr(etr=etr, started_at=T0) is None


@pytest.mark.parametrize("etr", [T0 - SEC, T0 - HOUR])
def test_etr_before_start_refused(etr):
    with pytest.raises(TransitionRefused) as refused:
        lc.check_etr(etr=etr, started_at=T0)
    assert refused.value.message == "The estimated restoration time is before the outage started."


def test_naive_etr_is_a_programming_error():
    with pytest.raises(ValueError, match="aware"):
        lc.check_etr(etr=T0.replace(tzinfo=None) + HOUR, started_at=T0)


# --- escalation -----------------------------------------------------------------------------

AFTER = 30 * MIN


@pytest.mark.parametrize(
    ("status", "etr", "now", "missing_etr_after", "expected"),
    [
        # Past the ETR while open: every open status.
        (INVESTIGATING, T0 + HOUR, T0 + HOUR + SEC, AFTER, PAST_ETR),
        (IDENTIFIED, T0 + HOUR, T0 + 2 * HOUR, AFTER, PAST_ETR),
        (MONITORING, T0 + HOUR, T0 + 2 * HOUR, AFTER, PAST_ETR),
        # At the ETR exactly, or before it: not yet.
        (INVESTIGATING, T0 + HOUR, T0 + HOUR, AFTER, None),
        (INVESTIGATING, T0 + HOUR, T0 + HOUR - SEC, AFTER, None),
        # An ETR set means no "missing ETR", however long it has been open.
        (INVESTIGATING, T0 + 10 * HOUR, T0 + 9 * HOUR, AFTER, None),
        # No ETR: escalates once open for missing_etr_after, boundary included.
        (INVESTIGATING, None, T0 + AFTER - SEC, AFTER, None),
        (INVESTIGATING, None, T0 + AFTER, AFTER, MISSING_ETR),
        (IDENTIFIED, None, T0 + 2 * HOUR, AFTER, MISSING_ETR),
        (MONITORING, None, T0 + 2 * HOUR, AFTER, MISSING_ETR),
        (INVESTIGATING, None, T0, timedelta(0), MISSING_ETR),
        # missing_etr_after=None turns that reason off, not the ETR one.
        (INVESTIGATING, None, T0 + timedelta(days=2), None, None),
        (INVESTIGATING, T0 + HOUR, T0 + 2 * HOUR, None, PAST_ETR),
        # Restored or closed: never.
        (RESTORED, T0 + HOUR, T0 + 5 * HOUR, AFTER, None),
        (CLOSED, T0 + HOUR, T0 + 5 * HOUR, AFTER, None),
        (RESTORED, None, T0 + 5 * HOUR, AFTER, None),
        (CLOSED, None, T0 + 5 * HOUR, AFTER, None),
    ],
)
def test_escalation_reason(status, etr, now, missing_etr_after, expected):
    reason = lc.escalation_reason(
        status=status, etr=etr, started_at=T0, now=now, missing_etr_after=missing_etr_after
    )
    assert reason == expected
    if reason is not None:
        assert lc.ESCALATION_LABELS[reason]


def test_escalation_reason_values():
    assert (lc.PAST_ETR, lc.MISSING_ETR) == ("past_etr", "missing_etr")


# --- durations and relative times -----------------------------------------------------------


@pytest.mark.parametrize(
    ("restored_at", "expected"),
    [
        (T0, timedelta(0)),
        (T0 + 3 * HOUR + 12 * MIN, timedelta(hours=3, minutes=12)),
        (T0 + timedelta(days=2, hours=4), timedelta(days=2, hours=4)),
        (T0 - MIN, timedelta(0)),  # never negative
    ],
)
def test_duration(restored_at, expected):
    assert lc.duration(started_at=T0, restored_at=restored_at) == expected


@pytest.mark.parametrize(
    ("td", "text"),
    [
        (timedelta(0), "under 1 min"),
        (timedelta(seconds=59), "under 1 min"),
        (timedelta(minutes=1), "1 min"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(minutes=45, seconds=59), "45 min"),  # floored
        (timedelta(minutes=59, seconds=59), "59 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(hours=1, minutes=1), "1 h 1 min"),
        (timedelta(hours=3, minutes=12), "3 h 12 min"),
        (timedelta(hours=23, minutes=59, seconds=59), "23 h 59 min"),
        (timedelta(days=1), "1 d"),
        (timedelta(days=1, minutes=59), "1 d"),  # minutes dropped at day scale
        (timedelta(days=2, hours=4), "2 d 4 h"),
        (timedelta(days=2, hours=4, minutes=30), "2 d 4 h"),
        (timedelta(days=40, hours=23), "40 d 23 h"),
        (-timedelta(hours=3, minutes=12), "3 h 12 min"),  # sign ignored
    ],
)
def test_describe_duration(td, text):
    assert lc.describe_duration(td) == text


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "now"),
        (timedelta(seconds=59), "now"),
        (-timedelta(seconds=59), "now"),
        (MIN, "in 1 min"),
        (-MIN, "1 min ago"),
        (timedelta(hours=3, minutes=12), "in 3 h 12 min"),
        (-timedelta(minutes=12), "12 min ago"),
        (-timedelta(minutes=12, seconds=40), "12 min ago"),
        (timedelta(days=2, hours=4), "in 2 d 4 h"),
        (-timedelta(days=1, hours=1), "1 d 1 h ago"),
    ],
)
def test_describe_relative(delta, text):
    assert lc.describe_relative(target=NOW + delta, now=NOW) == text


def test_module_imports_no_django():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(lc))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"__future__", "datetime"}
