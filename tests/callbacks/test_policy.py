from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from callbacks import policy
from callbacks.policy import (
    ANSWERED,
    ASSIGNED,
    AT_RISK,
    CANCELLED,
    DEFAULT_RULES,
    DONE,
    LEFT_VOICEMAIL,
    LETTER,
    LETTER_SENT,
    NO_VOICEMAIL,
    NOT_DUE,
    ON_TRACK,
    OVERDUE,
    QUEUED,
    RETRY,
    STILL_WITHOUT_SERVICE,
    WAITING,
    WRONG_NUMBER,
    PolicyError,
    Rules,
)

NEW_YORK = ZoneInfo("America/New_York")
RESTORED = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
MAX_3 = Rules(target=8 * HOUR, retry_window=2 * HOUR, max_attempts=3, at_risk_margin=HOUR)
NAIVE = datetime(2026, 5, 4, 8, 0)


# Constants


def test_statuses_and_labels_line_up():
    assert policy.STATUSES == (
        "waiting",
        "queued",
        "assigned",
        "retry",
        "done",
        "letter",
        "letter_sent",
        "cancelled",
    )
    assert tuple(policy.STATUS_LABELS) == policy.STATUSES
    assert tuple(policy.OUTCOME_LABELS) == policy.OUTCOMES
    assert tuple(policy.SUBJECTS) == policy.OUTCOMES
    assert tuple(policy.ALLOWED_TRANSITIONS) == policy.STATUSES


@pytest.mark.parametrize(
    ("name", "members"),
    [
        ("OPEN_STATUSES", {WAITING, QUEUED, ASSIGNED, RETRY}),
        ("WORKABLE_STATUSES", {QUEUED, ASSIGNED, RETRY}),
        ("DISTRIBUTABLE_STATUSES", {QUEUED, RETRY}),
        ("CLOSED_STATUSES", {DONE, LETTER, LETTER_SENT, CANCELLED}),
        ("TERMINAL_STATUSES", {DONE, LETTER_SENT, CANCELLED}),
    ],
)
def test_status_sets(name, members):
    assert getattr(policy, name) == members


def test_open_and_closed_partition_the_statuses():
    assert set(policy.STATUSES) == policy.OPEN_STATUSES | policy.CLOSED_STATUSES
    assert not policy.OPEN_STATUSES & policy.CLOSED_STATUSES


@pytest.mark.parametrize(
    ("outcome", "label", "subject"),
    [
        (ANSWERED, "Answered", "System Outage Return Call \u2013 Answered"),
        (LEFT_VOICEMAIL, "Left voicemail", "System Outage Return Call \u2013 Left Voicemail"),
        (NO_VOICEMAIL, "No voicemail", "System Outage Return Call \u2013 No Voicemail"),
        (WRONG_NUMBER, "Wrong number", "System Outage Return Call \u2013 Wrong Number"),
        (
            STILL_WITHOUT_SERVICE,
            "Customer still without service",
            "System Outage Return Call \u2013 Still Without Service",
        ),
    ],
)
def test_outcome_labels_and_call_log_subjects(outcome, label, subject):
    assert policy.OUTCOME_LABELS[outcome] == label
    assert policy.SUBJECTS[outcome] == subject
    assert "\u2013" in policy.SUBJECTS[outcome] and "-" not in policy.SUBJECTS[outcome]


@pytest.mark.parametrize(
    ("value", "string"),
    [
        (ANSWERED, "answered"),
        (LEFT_VOICEMAIL, "left_voicemail"),
        (NO_VOICEMAIL, "no_voicemail"),
        (WRONG_NUMBER, "wrong_number"),
        (STILL_WITHOUT_SERVICE, "still_without_service"),
    ],
)
def test_outcome_values_are_stable(value, string):
    assert value == string


def test_risk_labels():
    assert set(policy.RISK_LABELS) == {OVERDUE, AT_RISK, ON_TRACK, NOT_DUE}


# Rules


def test_default_rules():
    assert (
        Rules(
            target=timedelta(hours=8),
            retry_window=timedelta(hours=2),
            max_attempts=2,
            at_risk_margin=timedelta(hours=1),
        )
        == DEFAULT_RULES
    )
    with pytest.raises(FrozenInstanceError):
        DEFAULT_RULES.max_attempts = 3


@pytest.mark.parametrize(
    "changes",
    [
        {"target": timedelta(0)},
        {"target": -HOUR},
        {"retry_window": timedelta(0)},
        {"max_attempts": 0},
        {"max_attempts": 2.0},
        {"max_attempts": True},
        {"at_risk_margin": -SECOND},
    ],
)
def test_rules_reject_nonsense(changes):
    values = dict(target=8 * HOUR, retry_window=2 * HOUR, max_attempts=2, at_risk_margin=HOUR)
    with pytest.raises(ValueError):
        Rules(**{**values, **changes})


def test_rules_allow_a_zero_margin():
    assert Rules(8 * HOUR, 2 * HOUR, 1, timedelta(0)).at_risk_margin == timedelta(0)


# First deadline


@pytest.mark.parametrize(
    ("restored_at", "filed_at", "due_at"),
    [
        # filed during the outage: 8 h from restoration
        (RESTORED, RESTORED - 3 * HOUR, RESTORED + 8 * HOUR),
        (RESTORED, RESTORED - timedelta(days=2), RESTORED + 8 * HOUR),
        # filed at the very moment of restoration
        (RESTORED, RESTORED, RESTORED + 8 * HOUR),
        # filed after restoration: 8 h from filing
        (RESTORED, RESTORED + SECOND, RESTORED + 8 * HOUR + SECOND),
        (RESTORED, RESTORED + 5 * HOUR, RESTORED + 13 * HOUR),
        # the same instants given in other zones compare as instants
        (RESTORED.astimezone(NEW_YORK), RESTORED - HOUR, RESTORED + 8 * HOUR),
        (RESTORED, (RESTORED + HOUR).astimezone(NEW_YORK), RESTORED + 9 * HOUR),
    ],
)
def test_first_due_at(restored_at, filed_at, due_at):
    assert policy.first_due_at(restored_at=restored_at, filed_at=filed_at, rules=DEFAULT_RULES) == (
        due_at
    )


@pytest.mark.parametrize(
    ("restored_local", "fold", "due_local", "due_fold", "due_utc"),
    [
        # Clocks go back at 02:00 EDT on 2026-11-01: 8 real hours after 00:30 EDT is 07:30 EST.
        (datetime(2026, 11, 1, 0, 30), 0, datetime(2026, 11, 1, 7, 30), 0, (2026, 11, 1, 12, 30)),
        # Restored in the repeated hour, first pass (01:30 EDT) and second pass (01:30 EST).
        (datetime(2026, 11, 1, 1, 30), 0, datetime(2026, 11, 1, 8, 30), 0, (2026, 11, 1, 13, 30)),
        (datetime(2026, 11, 1, 1, 30), 1, datetime(2026, 11, 1, 9, 30), 0, (2026, 11, 1, 14, 30)),
        # Deadline inside the repeated hour: 17:30 EST the day before + 8 h = 01:30 EST (second).
        (datetime(2026, 10, 31, 18, 30), 0, datetime(2026, 11, 1, 1, 30), 1, (2026, 11, 1, 6, 30)),
        # Clocks go forward at 02:00 EST on 2026-03-08: 20:00 EST + 8 h is 05:00 EDT.
        (datetime(2026, 3, 7, 20, 0), 0, datetime(2026, 3, 8, 5, 0), 0, (2026, 3, 8, 9, 0)),
        (datetime(2026, 3, 8, 1, 30), 0, datetime(2026, 3, 8, 10, 30), 0, (2026, 3, 8, 14, 30)),
    ],
)
def test_first_due_at_counts_real_hours_across_daylight_saving(
    restored_local, fold, due_local, due_fold, due_utc
):
    restored_at = restored_local.replace(tzinfo=NEW_YORK, fold=fold)
    due = policy.first_due_at(restored_at=restored_at, filed_at=restored_at, rules=DEFAULT_RULES)
    assert due.astimezone(UTC) == datetime(*due_utc, tzinfo=UTC)
    assert due.astimezone(UTC) - restored_at.astimezone(UTC) == 8 * HOUR
    assert due.tzinfo is NEW_YORK
    assert (due.replace(tzinfo=None), due.fold) == (due_local, due_fold)


@pytest.mark.parametrize(
    ("restored_at", "filed_at"),
    [(NAIVE, RESTORED), (RESTORED, NAIVE), (NAIVE, NAIVE), ("2026-05-04", RESTORED)],
)
def test_first_due_at_rejects_naive_datetimes(restored_at, filed_at):
    with pytest.raises(ValueError):
        policy.first_due_at(restored_at=restored_at, filed_at=filed_at, rules=DEFAULT_RULES)


@pytest.mark.parametrize(("restored", "status"), [(False, WAITING), (True, QUEUED)])
def test_status_on_filing(restored, status):
    assert policy.status_on_filing(outage_restored=restored) == status


# Attempts

ATTEMPTED = RESTORED + 3 * HOUR
DUE = RESTORED + 8 * HOUR


def _expected(status, outcome, attempt_number, rules):
    """The procedure, written out independently of the module:
    (status, due_at, produce_letter, flag_outage, ends, keep_agent)."""
    if outcome in (ANSWERED, LEFT_VOICEMAIL):
        return (DONE, DUE, False, False, True, False)
    if outcome == NO_VOICEMAIL and attempt_number < rules.max_attempts:
        return (RETRY, ATTEMPTED + 2 * HOUR, False, False, False, True)
    if outcome in (NO_VOICEMAIL, WRONG_NUMBER):
        return (LETTER, DUE, True, False, True, False)
    return (status, DUE, False, True, False, True)


ATTEMPT_CASES = [
    (status, outcome, attempt_number, rules)
    for rules in (DEFAULT_RULES, MAX_3)
    for status, outcome, attempt_number in product(
        (QUEUED, ASSIGNED, RETRY), policy.OUTCOMES, (1, 2, 3)
    )
]


@pytest.mark.parametrize(("status", "outcome", "attempt_number", "rules"), ATTEMPT_CASES)
def test_decide_after_attempt(status, outcome, attempt_number, rules):
    decision = policy.decide_after_attempt(
        status=status,
        outcome=outcome,
        attempt_number=attempt_number,
        attempted_at=ATTEMPTED,
        due_at=DUE,
        rules=rules,
    )
    got = (
        decision.status,
        decision.due_at,
        decision.produce_letter,
        decision.flag_outage,
        decision.ends,
        decision.keep_agent,
    )
    assert got == _expected(status, outcome, attempt_number, rules)
    assert decision.subject == policy.SUBJECTS[outcome]
    assert decision.ends == (decision.status in policy.CLOSED_STATUSES)
    assert decision.produce_letter == (decision.status == LETTER)


@pytest.mark.parametrize(
    ("outcome", "attempt_number", "rules", "status"),
    [
        (NO_VOICEMAIL, 1, DEFAULT_RULES, RETRY),
        (NO_VOICEMAIL, 2, DEFAULT_RULES, LETTER),
        (NO_VOICEMAIL, 3, DEFAULT_RULES, LETTER),
        (NO_VOICEMAIL, 1, MAX_3, RETRY),
        (NO_VOICEMAIL, 2, MAX_3, RETRY),
        (NO_VOICEMAIL, 3, MAX_3, LETTER),
        (WRONG_NUMBER, 1, MAX_3, LETTER),
        (ANSWERED, 3, DEFAULT_RULES, DONE),
        (LEFT_VOICEMAIL, 2, DEFAULT_RULES, DONE),
    ],
)
def test_the_letter_comes_after_the_last_allowed_attempt(outcome, attempt_number, rules, status):
    decision = policy.decide_after_attempt(
        status=RETRY if attempt_number > 1 else ASSIGNED,
        outcome=outcome,
        attempt_number=attempt_number,
        attempted_at=ATTEMPTED,
        due_at=DUE,
        rules=rules,
    )
    assert decision.status == status


@pytest.mark.parametrize(("status", "outcome", "attempt_number", "rules"), ATTEMPT_CASES)
def test_every_decision_is_a_transition_the_state_machine_allows(
    status, outcome, attempt_number, rules
):
    decision = policy.decide_after_attempt(
        status=status,
        outcome=outcome,
        attempt_number=attempt_number,
        attempted_at=ATTEMPTED,
        due_at=DUE,
        rules=rules,
    )
    held = policy.status_after_assign(status)  # whoever calls holds the callback
    if decision.status != held:
        policy.check_transition(held, decision.status)


@pytest.mark.parametrize(
    ("attempted_at", "retry_due"),
    [
        # 7 h 30 into the 8 h target: the retry is due at 9 h 30, past the first deadline
        (RESTORED + timedelta(hours=7, minutes=30), RESTORED + timedelta(hours=9, minutes=30)),
        # made exactly at the deadline
        (DUE, DUE + 2 * HOUR),
        # made late: the retry still gets its own 2 hours
        (DUE + HOUR, DUE + 3 * HOUR),
    ],
)
def test_the_retry_window_is_not_capped_at_the_target(attempted_at, retry_due):
    decision = policy.decide_after_attempt(
        status=ASSIGNED,
        outcome=NO_VOICEMAIL,
        attempt_number=1,
        attempted_at=attempted_at,
        due_at=DUE,
        rules=DEFAULT_RULES,
    )
    assert decision.due_at == retry_due
    assert decision.due_at > DUE


@pytest.mark.parametrize(
    ("attempted_local", "fold", "retry_utc"),
    [
        # 00:30 EDT + 2 real hours = 01:30 EST (the second 01:30 of the night)
        (datetime(2026, 11, 1, 0, 30), 0, datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
        # 01:30 EST (second pass) + 2 h = 03:30 EST
        (datetime(2026, 11, 1, 1, 30), 1, datetime(2026, 11, 1, 8, 30, tzinfo=UTC)),
        # 01:30 EST + 2 h across the spring gap = 04:30 EDT
        (datetime(2026, 3, 8, 1, 30), 0, datetime(2026, 3, 8, 8, 30, tzinfo=UTC)),
    ],
)
def test_the_retry_window_counts_real_hours(attempted_local, fold, retry_utc):
    attempted_at = attempted_local.replace(tzinfo=NEW_YORK, fold=fold)
    decision = policy.decide_after_attempt(
        status=ASSIGNED,
        outcome=NO_VOICEMAIL,
        attempt_number=1,
        attempted_at=attempted_at,
        due_at=attempted_at + 5 * HOUR,
        rules=DEFAULT_RULES,
    )
    assert decision.due_at.astimezone(UTC) == retry_utc
    assert decision.due_at.tzinfo is NEW_YORK


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (WAITING, "Waiting for restoration"),
        (DONE, "Done"),
        (LETTER, "Letter to send"),
        (LETTER_SENT, "Letter sent"),
        (CANCELLED, "Cancelled"),
        ("bogus", "'bogus'"),
    ],
)
def test_an_attempt_needs_a_workable_callback(status, words):
    with pytest.raises(PolicyError) as caught:
        policy.decide_after_attempt(
            status=status,
            outcome=ANSWERED,
            attempt_number=1,
            attempted_at=ATTEMPTED,
            due_at=DUE,
            rules=DEFAULT_RULES,
        )
    message = str(caught.value)
    assert f"Cannot record an attempt on a callback that is {words}" in message
    assert "Queued, Assigned or Retry due" in message


@pytest.mark.parametrize(
    "changes",
    [
        {"outcome": "hung_up"},
        {"attempt_number": 0},
        {"attempt_number": -1},
        {"attempt_number": 1.0},
        {"attempt_number": True},
        {"attempted_at": NAIVE},
        {"due_at": NAIVE},
    ],
)
def test_decide_after_attempt_rejects_bad_input(changes):
    arguments = dict(
        status=ASSIGNED,
        outcome=ANSWERED,
        attempt_number=1,
        attempted_at=ATTEMPTED,
        due_at=DUE,
        rules=DEFAULT_RULES,
    )
    with pytest.raises(ValueError):
        policy.decide_after_attempt(**{**arguments, **changes})


def test_decision_without_a_deadline_keeps_none():
    decision = policy.decide_after_attempt(
        status=ASSIGNED,
        outcome=STILL_WITHOUT_SERVICE,
        attempt_number=1,
        attempted_at=ATTEMPTED,
        due_at=None,
        rules=DEFAULT_RULES,
    )
    assert decision.due_at is None and decision.status == ASSIGNED


# State machine

# Written out again here, on purpose, rather than read from the module.
ALLOWED = {
    (WAITING, QUEUED),
    (WAITING, CANCELLED),
    (QUEUED, ASSIGNED),
    (QUEUED, CANCELLED),
    (QUEUED, WAITING),
    (ASSIGNED, QUEUED),
    (ASSIGNED, DONE),
    (ASSIGNED, RETRY),
    (ASSIGNED, LETTER),
    (ASSIGNED, WAITING),
    (ASSIGNED, CANCELLED),
    (RETRY, DONE),
    (RETRY, LETTER),
    (RETRY, RETRY),
    (RETRY, CANCELLED),
    (LETTER, LETTER_SENT),
    (LETTER, CANCELLED),
}


@pytest.mark.parametrize(("current", "target"), list(product(policy.STATUSES, repeat=2)))
def test_check_transition(current, target):
    if (current, target) in ALLOWED:
        policy.check_transition(current, target)
        assert target in policy.ALLOWED_TRANSITIONS[current]
    else:
        with pytest.raises(PolicyError):
            policy.check_transition(current, target)
        assert target not in policy.ALLOWED_TRANSITIONS[current]


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (DONE, RETRY, "This callback is Done: it cannot change any more."),
        (CANCELLED, QUEUED, "This callback is Cancelled: it cannot change any more."),
        (WAITING, DONE, "A callback cannot go from Waiting for restoration to Done."),
        (LETTER, DONE, "A callback cannot go from Letter to send to Done."),
        ("bogus", DONE, "Unknown callback status 'bogus'."),
        (DONE, "bogus", "Unknown callback status 'bogus'."),
    ],
)
def test_check_transition_messages(current, target, message):
    with pytest.raises(PolicyError, match="^" + message.replace(".", r"\.") + "$"):
        policy.check_transition(current, target)


@pytest.mark.parametrize(
    ("status", "attempts", "result"),
    [
        (status, attempts, WAITING if status in (QUEUED, ASSIGNED) and attempts == 0 else None)
        for status, attempts in product(policy.STATUSES, (0, 1, 2))
    ],
)
def test_status_on_reopen(status, attempts, result):
    assert policy.status_on_reopen(status=status, attempts=attempts) == result
    if result is not None:
        policy.check_transition(status, result)


@pytest.mark.parametrize(
    ("status", "attempts"), [(QUEUED, -1), (QUEUED, 1.5), (QUEUED, None), ("bogus", 0)]
)
def test_status_on_reopen_rejects_bad_input(status, attempts):
    with pytest.raises(ValueError):
        policy.status_on_reopen(status=status, attempts=attempts)


@pytest.mark.parametrize(
    ("status", "assigned", "unassigned"),
    [
        (WAITING, None, None),
        (QUEUED, ASSIGNED, None),
        (ASSIGNED, ASSIGNED, QUEUED),
        (RETRY, RETRY, RETRY),
        (DONE, None, None),
        (LETTER, None, None),
        (LETTER_SENT, None, None),
        (CANCELLED, None, None),
    ],
)
def test_assign_and_unassign(status, assigned, unassigned):
    for function, expected in (
        (policy.status_after_assign, assigned),
        (policy.status_after_unassign, unassigned),
    ):
        if expected is None:
            with pytest.raises(PolicyError):
                function(status)
        else:
            assert function(status) == expected
            if expected != status:
                policy.check_transition(status, expected)


# Risk


@pytest.mark.parametrize(
    ("now", "margin", "result"),
    [
        (RESTORED, HOUR, ON_TRACK),  # exactly 8 h to go
        (DUE - HOUR - SECOND, HOUR, ON_TRACK),
        (DUE - HOUR, HOUR, AT_RISK),  # the margin's edge is at risk
        (DUE - SECOND, HOUR, AT_RISK),
        (DUE, HOUR, AT_RISK),  # due now: still in time
        (DUE + SECOND, HOUR, OVERDUE),
        (DUE + 3 * HOUR, HOUR, OVERDUE),
        (RESTORED, 8 * HOUR, AT_RISK),  # a margin as long as the target
        (RESTORED, 8 * HOUR - SECOND, ON_TRACK),
        (DUE - SECOND, timedelta(0), ON_TRACK),
        (DUE, timedelta(0), AT_RISK),
        (DUE + SECOND, timedelta(0), OVERDUE),
        (DUE.astimezone(NEW_YORK), HOUR, AT_RISK),
        ((DUE + SECOND).astimezone(NEW_YORK), HOUR, OVERDUE),
    ],
)
def test_risk(now, margin, result):
    assert policy.risk(due_at=DUE, now=now, margin=margin) == result


def test_risk_without_a_deadline():
    assert policy.risk(due_at=None, now=RESTORED, margin=HOUR) == NOT_DUE


@pytest.mark.parametrize(
    ("now_fold", "due_fold", "result"),
    [
        # due 01:30 EST (second pass), now 01:10 EDT (first pass): 80 minutes left
        (0, 1, ON_TRACK),
        # due 01:30 EDT, now 01:10 EST: it passed 40 minutes ago
        (1, 0, OVERDUE),
    ],
)
def test_risk_in_the_repeated_hour_compares_instants(now_fold, due_fold, result):
    now = datetime(2026, 11, 1, 1, 10, tzinfo=NEW_YORK, fold=now_fold)
    due_at = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=due_fold)
    assert policy.risk(due_at=due_at, now=now, margin=HOUR) == result


@pytest.mark.parametrize(
    ("due_at", "now", "margin"),
    [(DUE, NAIVE, HOUR), (NAIVE, RESTORED, HOUR), (None, NAIVE, HOUR), (DUE, RESTORED, -SECOND)],
)
def test_risk_rejects_bad_input(due_at, now, margin):
    with pytest.raises(ValueError):
        policy.risk(due_at=due_at, now=now, margin=margin)


# Who may record an attempt


@pytest.mark.parametrize(
    ("actor_id", "assigned_to_id", "actor_is_lead", "allowed"),
    [
        (1, 1, False, True),  # the agent who holds it
        (2, 1, False, False),  # another agent
        (2, None, False, False),  # nobody holds it: an agent takes it from the queue first
        (3, 1, True, True),  # a team lead, on somebody's callback
        (3, None, True, True),  # a team lead, on one nobody holds
    ],
)
def test_may_record_attempt(actor_id, assigned_to_id, actor_is_lead, allowed):
    assert (
        policy.may_record_attempt(
            actor_id=actor_id, assigned_to_id=assigned_to_id, actor_is_lead=actor_is_lead
        )
        is allowed
    )


# Calling hours, the customer's window and the deadline they give (all on New York's clock)

HOURS = policy.CallingHours(
    opens=datetime.min.time().replace(hour=8),
    closes=datetime.min.time().replace(hour=21),
    zone=NEW_YORK,
)
GRACE = 2 * HOUR
MIN_CALLING = HOUR


def ny(*args):
    return datetime(*args, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    "moment, inside",
    [
        (ny(2026, 5, 4, 7, 59, 59), False),
        (ny(2026, 5, 4, 8, 0), True),
        (ny(2026, 5, 4, 20, 59, 59), True),
        (ny(2026, 5, 4, 21, 0), False),
        (ny(2026, 5, 4, 23, 30), False),
        # 01:00 UTC is 21:00 in New York in May: closed; 00:59 UTC is 20:59: open
        (datetime(2026, 5, 5, 1, 0, tzinfo=UTC), False),
        (datetime(2026, 5, 5, 0, 59, tzinfo=UTC), True),
    ],
)
def test_calling_hours_are_half_open_on_the_customers_clock(moment, inside):
    assert policy.in_calling_hours(moment, hours=HOURS) is inside


@pytest.mark.parametrize(
    "opens, closes",
    [(21, 8), (8, 8)],
)
def test_calling_hours_must_open_before_they_close(opens, closes):
    with pytest.raises(ValueError):
        policy.CallingHours(
            opens=datetime.min.time().replace(hour=opens),
            closes=datetime.min.time().replace(hour=closes),
            zone=NEW_YORK,
        )


@pytest.mark.parametrize(
    "due, released, expected, how",
    [
        # in hours, or exactly at closing: kept
        (ny(2026, 5, 4, 14, 0), ny(2026, 5, 4, 6, 0), ny(2026, 5, 4, 14, 0), policy.KEPT),
        (ny(2026, 5, 4, 21, 0), ny(2026, 5, 4, 13, 0), ny(2026, 5, 4, 21, 0), policy.KEPT),
        # closed in the evening, enough calling time since release: brought forward to 21:00
        (
            ny(2026, 5, 4, 23, 30),
            ny(2026, 5, 4, 15, 30),
            ny(2026, 5, 4, 21, 0),
            policy.BROUGHT_FORWARD,
        ),
        # exactly the minimum left: still brought forward
        (
            ny(2026, 5, 5, 4, 0),
            ny(2026, 5, 4, 20, 0),
            ny(2026, 5, 4, 21, 0),
            policy.BROUGHT_FORWARD,
        ),
        # released at 20:30: half an hour is not enough; next opening plus the minimum,
        # across midnight into the next day
        (
            ny(2026, 5, 5, 4, 30),
            ny(2026, 5, 4, 20, 30),
            ny(2026, 5, 5, 9, 0),
            policy.MOVED_TO_OPENING,
        ),
        # released overnight, due before opening
        (
            ny(2026, 5, 5, 6, 0),
            ny(2026, 5, 4, 22, 0),
            ny(2026, 5, 5, 9, 0),
            policy.MOVED_TO_OPENING,
        ),
        # released the morning before, due before opening: the previous evening's closing
        (
            ny(2026, 5, 5, 7, 0),
            ny(2026, 5, 4, 9, 0),
            ny(2026, 5, 4, 21, 0),
            policy.BROUGHT_FORWARD,
        ),
        # across the autumn DST change (1 Nov 2026, 02:00 -> 01:00): released 20:30 EDT,
        # due 04:30 EST; the next opening is 08:00 EST = 13:00 UTC, plus one hour
        (
            ny(2026, 11, 1, 4, 30),
            ny(2026, 10, 31, 20, 30),
            datetime(2026, 11, 1, 14, 0, tzinfo=UTC),
            policy.MOVED_TO_OPENING,
        ),
        # across the spring change (8 Mar 2026): closing the evening before is 21:00 EST
        (
            ny(2026, 3, 8, 3, 30),
            ny(2026, 3, 7, 12, 0),
            datetime(2026, 3, 8, 2, 0, tzinfo=UTC),
            policy.BROUGHT_FORWARD,
        ),
    ],
)
def test_a_deadline_in_closed_hours(due, released, expected, how):
    result, moved = policy.deadline_in_calling_hours(
        due_at=due, released_at=released, hours=HOURS, min_calling=MIN_CALLING
    )
    assert (result, moved) == (expected, how)
    assert result.tzinfo is due.tzinfo
    assert not policy.closed_hours(result, hours=HOURS)


def test_a_deadline_in_utc_is_judged_on_the_customers_clock():
    # 02:00 UTC on 5 May is 22:00 in New York: closed, brought forward to 21:00 NY = 01:00 UTC
    due = datetime(2026, 5, 5, 2, 0, tzinfo=UTC)
    result, how = policy.deadline_in_calling_hours(
        due_at=due, released_at=due - 8 * HOUR, hours=HOURS, min_calling=MIN_CALLING
    )
    assert (result, how) == (datetime(2026, 5, 5, 1, 0, tzinfo=UTC), policy.BROUGHT_FORWARD)


FILED = ny(2026, 5, 4, 10, 0)


@pytest.mark.parametrize(
    "choice, due_from, start, end",
    [
        (policy.ANY_TIME, ny(2026, 5, 4, 12, 0), None, None),
        # the day's window when it has not ended yet, even if it has already opened
        (policy.EVENING, ny(2026, 5, 4, 12, 0), ny(2026, 5, 4, 17, 0), ny(2026, 5, 4, 21, 0)),
        (policy.EVENING, ny(2026, 5, 4, 18, 0), ny(2026, 5, 4, 17, 0), ny(2026, 5, 4, 21, 0)),
        (policy.MORNING, ny(2026, 5, 4, 7, 0), ny(2026, 5, 4, 8, 0), ny(2026, 5, 4, 12, 0)),
        # due from late evening: the window runs across midnight into the next day
        (policy.MORNING, ny(2026, 5, 4, 23, 30), ny(2026, 5, 5, 8, 0), ny(2026, 5, 5, 12, 0)),
        (policy.EVENING, ny(2026, 5, 4, 23, 30), ny(2026, 5, 5, 17, 0), ny(2026, 5, 5, 21, 0)),
        (policy.AFTERNOON, ny(2026, 5, 4, 17, 0), ny(2026, 5, 5, 12, 0), ny(2026, 5, 5, 17, 0)),
        # "tomorrow morning" is the morning after the call, whenever the callback is due
        (
            policy.TOMORROW_MORNING,
            ny(2026, 5, 4, 12, 0),
            ny(2026, 5, 5, 8, 0),
            ny(2026, 5, 5, 12, 0),
        ),
    ],
)
def test_the_window_in_real_instants(choice, due_from, start, end):
    window = policy.window_bounds(choice=choice, filed_at=FILED, due_from=due_from, hours=HOURS)
    assert (window.start, window.end, window.passed) == (start, end, False)


@pytest.mark.parametrize(
    "filed, start_utc",
    [
        # autumn: 8:00 on 1 Nov is EST (UTC-5), the day before was EDT (UTC-4)
        (ny(2026, 10, 31, 20, 0), datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
        # spring: 8:00 on 8 Mar is EDT (UTC-4), the day before was EST (UTC-5)
        (ny(2026, 3, 7, 20, 0), datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
    ],
)
def test_tomorrow_morning_across_a_dst_change_is_eight_on_the_wall_clock(filed, start_utc):
    window = policy.window_bounds(
        choice=policy.TOMORROW_MORNING, filed_at=filed, due_from=filed, hours=HOURS
    )
    assert window.start == start_utc
    assert window.end - window.start == 4 * HOUR


@pytest.mark.parametrize(
    "choice, slot",
    [
        (policy.SLOT, (ny(2026, 5, 4, 9, 0), ny(2026, 5, 4, 11, 0))),
        (policy.SLOT, (ny(2026, 5, 4, 9, 0), ny(2026, 5, 4, 12, 0))),  # ends as it is due
        (policy.TOMORROW_MORNING, (None, None)),  # the outage outlasted the morning
    ],
)
def test_a_window_that_has_already_passed_is_dropped(choice, slot):
    due_from = ny(2026, 5, 4, 12, 0) if choice == policy.SLOT else ny(2026, 5, 5, 13, 0)
    window = policy.window_bounds(
        choice=choice,
        filed_at=FILED,
        due_from=due_from,
        hours=HOURS,
        slot_start=slot[0],
        slot_end=slot[1],
    )
    assert window == policy.Window(None, None, passed=True)


@pytest.mark.parametrize(
    "slot_start, slot_end, message",
    [
        (None, ny(2026, 5, 4, 11, 0), "needs its start and its end"),
        (ny(2026, 5, 4, 11, 0), ny(2026, 5, 4, 11, 0), "must be after its start"),
    ],
)
def test_a_slot_needs_a_start_before_its_end(slot_start, slot_end, message):
    with pytest.raises(PolicyError, match=message):
        policy.window_bounds(
            choice=policy.SLOT,
            filed_at=FILED,
            due_from=FILED,
            hours=HOURS,
            slot_start=slot_start,
            slot_end=slot_end,
        )


def test_an_unknown_window_is_refused():
    with pytest.raises(PolicyError):
        policy.window_bounds(choice="midnight", filed_at=FILED, due_from=FILED, hours=HOURS)


TARGET = ny(2026, 5, 4, 14, 0)  # restored at 06:00, due 8 hours later
RELEASED = ny(2026, 5, 4, 6, 0)


@pytest.mark.parametrize(
    "window, due, rescheduled, how",
    [
        (policy.NO_WINDOW, TARGET, False, policy.KEPT),
        # the window opens before the target: the target stands
        (policy.Window(ny(2026, 5, 4, 8, 0), ny(2026, 5, 4, 12, 0)), TARGET, False, policy.KEPT),
        # opens after the target: its start plus the grace, rescheduled at the customer's request
        (
            policy.Window(ny(2026, 5, 4, 17, 0), ny(2026, 5, 4, 21, 0)),
            ny(2026, 5, 4, 19, 0),
            True,
            policy.KEPT,
        ),
        # a short slot: no later than its end
        (
            policy.Window(ny(2026, 5, 4, 18, 0), ny(2026, 5, 4, 18, 30)),
            ny(2026, 5, 4, 18, 30),
            True,
            policy.KEPT,
        ),
        # a slot across midnight (20:00 to 01:00): start plus grace is 22:00, closed; the
        # customer's window gives an hour of calling before 21:00, so the deadline is 21:00
        (
            policy.Window(ny(2026, 5, 4, 20, 0), ny(2026, 5, 5, 1, 0)),
            ny(2026, 5, 4, 21, 0),
            True,
            policy.BROUGHT_FORWARD,
        ),
        # a slot at 20:30: half an hour before closing is too little: next morning at 9:00
        (
            policy.Window(ny(2026, 5, 4, 20, 30), ny(2026, 5, 4, 23, 0)),
            ny(2026, 5, 5, 9, 0),
            True,
            policy.MOVED_TO_OPENING,
        ),
        # tomorrow morning across the autumn DST change: 8:00 EST + 2 h = 15:00 UTC
        (
            policy.Window(ny(2026, 11, 1, 8, 0), ny(2026, 11, 1, 12, 0)),
            datetime(2026, 11, 1, 15, 0, tzinfo=UTC),
            True,
            policy.KEPT,
        ),
    ],
)
def test_the_deadline_follows_a_window_that_opens_after_the_target(window, due, rescheduled, how):
    plan = policy.plan_deadline(
        target_due=TARGET,
        released_at=RELEASED,
        window=window,
        hours=HOURS,
        grace=GRACE,
        min_calling=MIN_CALLING,
    )
    assert plan == policy.Deadline(due, rescheduled, how)


def test_a_target_in_closed_hours_without_a_window_is_moved_but_not_rescheduled():
    plan = policy.plan_deadline(
        target_due=ny(2026, 5, 4, 23, 0),
        released_at=ny(2026, 5, 4, 15, 0),
        window=policy.NO_WINDOW,
        hours=HOURS,
        grace=GRACE,
        min_calling=MIN_CALLING,
    )
    assert plan == policy.Deadline(ny(2026, 5, 4, 21, 0), False, policy.BROUGHT_FORWARD)


@pytest.mark.parametrize(
    "now, window_start, expected",
    [
        (ny(2026, 5, 4, 12, 0), None, True),
        (ny(2026, 5, 4, 7, 59), None, False),  # before calling hours
        (ny(2026, 5, 4, 21, 0), None, False),  # at closing
        (ny(2026, 5, 4, 16, 59), ny(2026, 5, 4, 17, 0), False),  # before the window opens
        (ny(2026, 5, 4, 17, 0), ny(2026, 5, 4, 17, 0), True),
        (ny(2026, 5, 5, 9, 0), ny(2026, 5, 4, 17, 0), True),  # the window has passed: still due
    ],
)
def test_a_callback_is_offered_in_calling_hours_once_its_window_opens(now, window_start, expected):
    assert policy.offerable(now=now, window_start=window_start, hours=HOURS) is expected


def test_an_escalation_is_due_within_its_target_in_calling_hours():
    assert policy.escalation_due_at(
        now=ny(2026, 5, 4, 10, 0), target=4 * HOUR, hours=HOURS, min_calling=MIN_CALLING
    ) == ny(2026, 5, 4, 14, 0)
    assert policy.escalation_due_at(
        now=ny(2026, 5, 4, 20, 30), target=4 * HOUR, hours=HOURS, min_calling=MIN_CALLING
    ) == ny(2026, 5, 5, 9, 0)


# Numbers, wrong numbers and consent


@pytest.mark.parametrize(
    "position, numbers, expected",
    [
        (1, ["+1", "+2", "+3"], 2),
        (2, ["+1", "+2", "+3"], 3),
        (3, ["+1", "+2", "+3"], None),
        (1, ["+1", "", "+3"], 3),
        (1, ["+1", "", ""], None),
        (1, ["+1"], None),
    ],
)
def test_the_next_number_after_a_wrong_one(position, numbers, expected):
    assert policy.next_number_position(position=position, numbers=numbers) == expected


@pytest.mark.parametrize("status", [ASSIGNED, RETRY])
def test_a_wrong_number_with_another_number_moves_on_and_does_not_count(status):
    decision = policy.decide_after_attempt(
        status=status,
        outcome=WRONG_NUMBER,
        attempt_number=2,
        attempted_at=RESTORED,
        due_at=RESTORED + 8 * HOUR,
        rules=DEFAULT_RULES,
        has_next_number=True,
    )
    assert (decision.status, decision.due_at) == (status, RESTORED + 8 * HOUR)
    assert (decision.counts, decision.next_number, decision.produce_letter) == (False, True, False)
    assert not decision.ends and decision.keep_agent


def test_a_wrong_number_on_the_last_number_still_produces_the_letter():
    decision = policy.decide_after_attempt(
        status=ASSIGNED,
        outcome=WRONG_NUMBER,
        attempt_number=1,
        attempted_at=RESTORED,
        due_at=RESTORED + 8 * HOUR,
        rules=DEFAULT_RULES,
        has_next_number=False,
    )
    assert (decision.status, decision.produce_letter, decision.counts) == (LETTER, True, True)


def test_a_refused_recording_ends_the_call_with_its_own_subject():
    decision = policy.decide_after_attempt(
        status=ASSIGNED,
        outcome=ANSWERED,
        attempt_number=1,
        attempted_at=RESTORED,
        due_at=RESTORED + 8 * HOUR,
        rules=DEFAULT_RULES,
        consent_refused=True,
    )
    assert decision.status == DONE and decision.ends
    assert decision.subject == "System Outage Return Call \u2013 Answered \u2013 Recording Declined"


@pytest.mark.parametrize("outcome", [LEFT_VOICEMAIL, NO_VOICEMAIL, WRONG_NUMBER])
def test_only_an_answered_call_records_consent(outcome):
    with pytest.raises(PolicyError, match="Only an answered call"):
        policy.attempt_subject(outcome, consent_refused=True)


# Cancelling and reopening


@pytest.mark.parametrize(
    "cancelled_from, restored, expected",
    [
        (WAITING, False, WAITING),
        (WAITING, True, QUEUED),  # restored since it was cancelled
        (QUEUED, True, QUEUED),
        (ASSIGNED, True, QUEUED),  # nobody holds a reopened callback
        (RETRY, True, RETRY),
        (LETTER, True, LETTER),
    ],
)
def test_a_reopened_callback_returns_to_what_it_was(cancelled_from, restored, expected):
    assert (
        policy.status_on_cancel_reopen(
            cancelled_from=cancelled_from,
            cancelled_at=RESTORED,
            now=RESTORED + policy.REOPEN_PERIOD,
            outage_restored=restored,
        )
        == expected
    )


@pytest.mark.parametrize("cancelled_from", [DONE, "", LETTER_SENT])
def test_a_callback_that_could_not_have_been_cancelled_is_not_reopened(cancelled_from):
    with pytest.raises(PolicyError):
        policy.status_on_cancel_reopen(
            cancelled_from=cancelled_from,
            cancelled_at=RESTORED,
            now=RESTORED,
            outage_restored=True,
        )


def test_reopening_closes_a_day_after_the_cancellation():
    with pytest.raises(PolicyError, match="within a day"):
        policy.status_on_cancel_reopen(
            cancelled_from=QUEUED,
            cancelled_at=RESTORED,
            now=RESTORED + policy.REOPEN_PERIOD + SECOND,
            outage_restored=True,
        )


@pytest.mark.parametrize(
    "due_at, expected",
    [
        (RESTORED + 3 * HOUR, RESTORED + 3 * HOUR),  # still ahead: kept
        (RESTORED, RESTORED + 2 * HOUR),  # passed: the retry window from now
        (None, RESTORED + 2 * HOUR),
    ],
)
def test_the_deadline_of_a_reopened_callback(due_at, expected):
    assert policy.due_on_cancel_reopen(due_at=due_at, now=RESTORED, rules=DEFAULT_RULES) == expected


@pytest.mark.parametrize(
    "status, reason, note, by_customer, actor, holder, lead, message",
    [
        (QUEUED, "resolved", "", True, None, None, False, None),
        (ASSIGNED, "duplicate", "", False, 1, 1, False, None),
        (ASSIGNED, "duplicate", "", False, 2, 1, True, None),
        (LETTER, "customer_asked", "", False, 2, None, True, None),
        (ASSIGNED, "duplicate", "", False, 2, 1, False, "Only the agent"),
        (QUEUED, "duplicate", "", False, 2, None, False, "Only the agent"),
        (QUEUED, "duplicate", "", False, None, None, False, "needs the person"),
        (QUEUED, "other", " ", True, None, None, False, "Say why"),
        (QUEUED, "", "", True, None, None, False, "Choose why"),
        (DONE, "duplicate", "", True, None, None, False, "cannot be cancelled"),
        (CANCELLED, "duplicate", "", False, 2, None, True, "cannot be cancelled"),
    ],
)
def test_who_may_cancel_and_why(status, reason, note, by_customer, actor, holder, lead, message):
    def check():
        policy.check_cancel(
            status=status,
            reason=reason,
            note=note,
            by_customer=by_customer,
            actor_id=actor,
            assigned_to_id=holder,
            actor_is_lead=lead,
        )

    if message is None:
        check()
    else:
        with pytest.raises(PolicyError, match=message):
            check()


def test_calling_hours_to_the_end_of_the_day_never_close():
    always = policy.CallingHours(
        opens=datetime.min.time(), closes=datetime.max.time(), zone=NEW_YORK
    )
    assert policy.in_calling_hours(ny(2026, 5, 4, 23, 59, 59), hours=always)
    assert policy.offerable(now=ny(2026, 5, 4, 3, 0), window_start=None, hours=always)
