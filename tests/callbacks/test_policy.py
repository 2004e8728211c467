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


# Numbers, wrong numbers and consent


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
