"""The callback rules: statuses, outcomes, deadlines, the state machine and the risk of a deadline.

Pure: standard library only, no database and no clock. Every function takes the time it needs
as an argument, and every datetime must be aware (naive ones raise ``ValueError``).

Deadlines are computed in real elapsed time, not on the wall clock: "within 8 hours" of a
restoration at 00:30 on the night clocks go back is 8 hours of the customer's waiting, which the
wall clock shows as 07:30. Results keep the time zone of the input they were derived from.

The business rules (reference: the system outage callback procedure):

* first callback within ``target`` (8 h) of restoration; a request filed after the restoration
  gets its ``target`` from filing;
* answered, or a voicemail left: the callback is done (the voicemail asks the customer to call);
* no voicemail: another attempt within ``retry_window`` (2 h); when the last allowed attempt
  (``max_attempts``, 2) also ends without an answer or a voicemail, a no-contact letter is produced;
* wrong number: nobody can be reached on it, so the letter is produced at once;
* customer still without service: the outage may not really be over for that area; the callback
  keeps its status and deadline and the outage is flagged for a supervisor.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from schedule.policy import as_utc, aware, later_by

# Statuses

WAITING = "waiting"  # the outage is not restored yet: no deadline
QUEUED = "queued"  # first attempt due, no agent holds it
ASSIGNED = "assigned"  # first attempt due, an agent holds it
RETRY = "retry"  # a no-voicemail attempt happened; another is due (with or without an agent)
DONE = "done"  # answered, or a voicemail was left
LETTER = "letter"  # no contact: a no-contact letter must be produced and sent
LETTER_SENT = "letter_sent"
CANCELLED = "cancelled"

STATUSES = (WAITING, QUEUED, ASSIGNED, RETRY, DONE, LETTER, LETTER_SENT, CANCELLED)

STATUS_LABELS = {
    WAITING: "Waiting for restoration",
    QUEUED: "Queued",
    ASSIGNED: "Assigned",
    RETRY: "Retry due",
    DONE: "Done",
    LETTER: "Letter to send",
    LETTER_SENT: "Letter sent",
    CANCELLED: "Cancelled",
}

# Open: someone still has to call. One open callback per phone number per outage.
OPEN_STATUSES = frozenset({WAITING, QUEUED, ASSIGNED, RETRY})
# Workable: an attempt may be recorded now (it has a deadline).
WORKABLE_STATUSES = frozenset({QUEUED, ASSIGNED, RETRY})
# Distributable: may be handed to an agent, provided no agent holds it yet (a retry may or may
# not have one, so the query adds "unassigned").
DISTRIBUTABLE_STATUSES = frozenset({QUEUED, RETRY})
# Closed: no more calls. ``LETTER`` is closed for calling but still has its letter to send.
CLOSED_STATUSES = frozenset({DONE, LETTER, LETTER_SENT, CANCELLED})
# Terminal: nothing can follow.
TERMINAL_STATUSES = frozenset({DONE, LETTER_SENT, CANCELLED})
# Erasing a customer's data on request ends what is still open for them: nobody may call or
# write to them any more.
CANCELLED_ON_ERASURE = OPEN_STATUSES | {LETTER}

# What replaces a name once the personal data is removed (retention or erasure).
REMOVED_NAME = "(removed)"


def personal_data_cutoff(*, now, retention):
    """Callbacks finished before this moment have their personal data removed."""
    return now - retention


# Channels: how a callback request reached us.

AGENT_CHANNEL = "agent"  # an agent on a live call
IVR_CHANNEL = "ivr"  # the caller asked the IVR
WEB_CHANNEL = "web"  # the public status page
API_CHANNEL = "api"  # another system through the API

CHANNEL_LABELS = {
    AGENT_CHANNEL: "Agent",
    IVR_CHANNEL: "IVR",
    WEB_CHANNEL: "Web",
    API_CHANNEL: "API",
}
CHANNELS = tuple(CHANNEL_LABELS)

# Outcomes and call logging

ANSWERED = "answered"
LEFT_VOICEMAIL = "left_voicemail"
NO_VOICEMAIL = "no_voicemail"
WRONG_NUMBER = "wrong_number"
STILL_WITHOUT_SERVICE = "still_without_service"

OUTCOMES = (ANSWERED, LEFT_VOICEMAIL, NO_VOICEMAIL, WRONG_NUMBER, STILL_WITHOUT_SERVICE)

OUTCOME_LABELS = {
    ANSWERED: "Answered",
    LEFT_VOICEMAIL: "Left voicemail",
    NO_VOICEMAIL: "No voicemail",
    WRONG_NUMBER: "Wrong number",
    STILL_WITHOUT_SERVICE: "Customer still without service",
}

# The subject of the outbound call log, exactly as the procedure spells it (en dash).
SUBJECTS = {
    ANSWERED: "System Outage Return Call \u2013 Answered",
    LEFT_VOICEMAIL: "System Outage Return Call \u2013 Left Voicemail",
    NO_VOICEMAIL: "System Outage Return Call \u2013 No Voicemail",
    WRONG_NUMBER: "System Outage Return Call \u2013 Wrong Number",
    STILL_WITHOUT_SERVICE: "System Outage Return Call \u2013 Still Without Service",
}
# Answered, but the customer would not continue on a recorded line: its own subject, so the
# CRM can tell a completed call from one ended at the consent question.
SUBJECT_CONSENT_REFUSED = "System Outage Return Call \u2013 Answered \u2013 Recording Declined"


def attempt_subject(outcome, *, consent_refused=False):
    """The call-log subject of one attempt."""
    if outcome not in SUBJECTS:
        raise PolicyError(f"Unknown call outcome {outcome!r}.")
    if consent_refused:
        if outcome != ANSWERED:
            raise PolicyError("Only an answered call can record the customer's consent.")
        return SUBJECT_CONSENT_REFUSED
    return SUBJECTS[outcome]


# Risk of a deadline

OVERDUE = "overdue"
AT_RISK = "at_risk"
ON_TRACK = "on_track"
NOT_DUE = "not_due"

RISK_LABELS = {
    OVERDUE: "Overdue",
    AT_RISK: "At risk",
    ON_TRACK: "On track",
    NOT_DUE: "Not due yet",
}


class PolicyError(ValueError):
    """A request the rules do not allow; the message can be shown to the user as it is."""


@dataclass(frozen=True)
class Rules:
    target: timedelta
    retry_window: timedelta
    max_attempts: int
    at_risk_margin: timedelta

    def __post_init__(self):
        if self.target <= timedelta(0):
            raise ValueError("The callback target must be a positive duration.")
        if self.retry_window <= timedelta(0):
            raise ValueError("The retry window must be a positive duration.")
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise ValueError("The number of attempts must be a whole number.")
        if self.max_attempts < 1:
            raise ValueError("At least one attempt must be allowed.")
        if self.at_risk_margin < timedelta(0):
            raise ValueError("The at-risk margin cannot be negative.")


DEFAULT_RULES = Rules(
    target=timedelta(hours=8),
    retry_window=timedelta(hours=2),
    max_attempts=2,
    at_risk_margin=timedelta(hours=1),
)


# Deadlines


def first_due_at(*, restored_at, filed_at, rules):
    """When the first attempt is due: ``rules.target`` after the later of restoration and filing
    (a request filed after the restoration gets the whole target from its filing)."""
    aware(restored_at, "restored_at")
    aware(filed_at, "filed_at")
    start = filed_at if as_utc(filed_at) > as_utc(restored_at) else restored_at
    return later_by(start, rules.target)


def status_on_filing(*, outage_restored):
    """A request filed during the outage waits for the restoration; after it, it is due."""
    return QUEUED if outage_restored else WAITING


# Attempts


@dataclass(frozen=True)
class Decision:
    """What follows one attempt.

    ``status``: the status after the attempt (equal to the current one when nothing moves: that
    is not a transition). ``due_at``: the deadline the callback carries afterwards: the new retry
    deadline, otherwise the deadline it had (kept on closed callbacks as the record of what they
    were due by). ``produce_letter``: a no-contact letter must be produced now. ``flag_outage``:
    the customer says the service is still down; a supervisor should look at the outage.
    ``subject``: the call-log subject of this attempt. ``ends``: no more calls will be made.
    ``keep_agent``: the callback stays with the agent who made the attempt; ``False`` means the
    assignment is released (the attempt rows keep who made each call).
    """

    status: str
    due_at: datetime | None
    produce_letter: bool
    flag_outage: bool
    subject: str
    ends: bool
    keep_agent: bool
    # False: a wrong number with another number left to try; the attempt is logged but does
    # not count toward the letter, and the next number is dialled.
    counts: bool = True
    next_number: bool = False


def status_label(status):
    """The status as pages and messages name it."""
    return STATUS_LABELS.get(status, repr(status))


def _names(statuses):
    labels = [status_label(s) for s in STATUSES if s in statuses]
    return ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]


def decide_after_attempt(
    *,
    status,
    outcome,
    attempt_number,
    attempted_at,
    due_at,
    rules,
    has_next_number=False,
    consent_refused=False,
):
    """Apply the callback rules to one attempt.

    ``attempt_number`` is the number of this attempt among those that count toward the letter,
    from 1 (a wrong number that moved on to the next number does not count).
    ``has_next_number``: the callback carries another number after the one dialled; a wrong
    number then moves to it instead of producing the letter. ``consent_refused``: the customer
    answered but would not continue on a recorded line; the call ends politely and is logged
    with its own subject. ``status`` must be workable. An
    attempt on a queued callback is made by an agent who takes it first
    (``status_after_assign``), so the resulting status is reached from ``ASSIGNED``.

    The retry deadline is ``attempted_at + retry_window`` and deliberately not capped at the
    first deadline: the procedure says another attempt must be made within 2 hours of the one
    that reached no voicemail, so an attempt made at 7 h 30 is retried by 9 h 30, not by 8 h.
    """
    _check_attempt(status, outcome, attempt_number, attempted_at=attempted_at, due_at=due_at)
    subject = attempt_subject(outcome, consent_refused=consent_refused)
    if outcome in (ANSWERED, LEFT_VOICEMAIL):
        return Decision(DONE, due_at, False, False, subject, ends=True, keep_agent=False)
    if outcome == NO_VOICEMAIL:
        if attempt_number < rules.max_attempts:
            retry_due = later_by(attempted_at, rules.retry_window)
            return Decision(RETRY, retry_due, False, False, subject, ends=False, keep_agent=True)
        return Decision(LETTER, due_at, True, False, subject, ends=True, keep_agent=False)
    if outcome == WRONG_NUMBER and has_next_number:
        return Decision(
            status,
            due_at,
            False,
            False,
            subject,
            ends=False,
            keep_agent=True,
            counts=False,
            next_number=True,
        )
    if outcome == WRONG_NUMBER:
        return Decision(LETTER, due_at, True, False, subject, ends=True, keep_agent=False)
    # STILL_WITHOUT_SERVICE: nothing moves until someone looks at the outage.
    return Decision(status, due_at, False, True, subject, ends=False, keep_agent=True)


def _check_attempt(status, outcome, attempt_number, *, attempted_at, due_at):
    """Raise ``PolicyError`` (or ``ValueError`` for naive times) unless an attempt can be
    decided on: a workable callback, a known outcome, a number from 1, aware times."""
    if status not in WORKABLE_STATUSES:
        raise PolicyError(
            f"Cannot record an attempt on a callback that is {status_label(status)}: "
            f"only {_names(WORKABLE_STATUSES)} callbacks can be called."
        )
    if outcome not in OUTCOMES:
        raise PolicyError(f"Unknown call outcome {outcome!r}.")
    if isinstance(attempt_number, bool) or not isinstance(attempt_number, int):
        raise PolicyError("The attempt number must be a whole number.")
    if attempt_number < 1:
        raise PolicyError("Attempts are numbered from 1.")
    aware(attempted_at, "attempted_at")
    if due_at is not None:
        aware(due_at, "due_at")


# State machine

ALLOWED_TRANSITIONS = {
    WAITING: frozenset({QUEUED, CANCELLED}),
    # back to waiting: the outage was reopened before anybody called
    QUEUED: frozenset({ASSIGNED, CANCELLED, WAITING}),
    # queued: unassigned, or the agent went off duty
    ASSIGNED: frozenset({QUEUED, DONE, RETRY, LETTER, WAITING, CANCELLED}),
    # retry to retry: another no-voicemail attempt (max_attempts > 2)
    RETRY: frozenset({DONE, LETTER, RETRY, CANCELLED}),
    DONE: frozenset(),
    LETTER: frozenset({LETTER_SENT, CANCELLED}),
    LETTER_SENT: frozenset(),
    CANCELLED: frozenset(),
}


def check_transition(current, target):
    """Raise ``PolicyError`` unless the state machine allows ``current -> target``.

    Handing a retry to an agent or taking it back keeps ``RETRY``: that is not a transition and
    the caller does not check it (see ``status_after_assign``)."""
    if current not in ALLOWED_TRANSITIONS:
        raise PolicyError(f"Unknown callback status {current!r}.")
    if target not in ALLOWED_TRANSITIONS:
        raise PolicyError(f"Unknown callback status {target!r}.")
    if target not in ALLOWED_TRANSITIONS[current]:
        if current in TERMINAL_STATUSES:
            raise PolicyError(
                f"This callback is {status_label(current)}: it cannot change any more."
            )
        raise PolicyError(
            f"A callback cannot go from {status_label(current)} to {status_label(target)}."
        )


def status_on_reopen(*, status, attempts):
    """The outage was reopened: a callback nobody has tried yet goes back to ``WAITING`` (its
    deadline is cleared, and set again at the next restoration). ``None``: no change, because
    somebody already spoke to or tried the customer, or the callback is closed."""
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 0:
        raise ValueError("attempts must be a whole number, 0 or more.")
    if status not in ALLOWED_TRANSITIONS:
        raise PolicyError(f"Unknown callback status {status!r}.")
    if attempts == 0 and status in (QUEUED, ASSIGNED):
        return WAITING
    return None


def status_after_assign(status):
    """Status once an agent holds the callback: queued becomes assigned; a retry stays a retry;
    an assigned callback handed to another agent stays assigned."""
    if status == QUEUED:
        return ASSIGNED
    if status in (ASSIGNED, RETRY):
        return status
    raise PolicyError(f"A callback that is {status_label(status)} cannot be assigned to an agent.")


def status_after_unassign(status):
    """Status once no agent holds the callback (unassigned, or the agent went off duty)."""
    if status == ASSIGNED:
        return QUEUED
    if status == RETRY:
        return RETRY
    raise PolicyError(f"A callback that is {status_label(status)} is not held by an agent.")


# Risk


def risk(*, due_at, now, margin):
    """How a deadline stands at ``now``: ``NOT_DUE`` without a deadline, ``OVERDUE`` once it has
    passed (a callback due at 16:00 made at 16:00 is in time), ``AT_RISK`` when it falls within
    ``margin`` (boundary included), ``ON_TRACK`` otherwise."""
    aware(now, "now")
    if margin < timedelta(0):
        raise ValueError("The at-risk margin cannot be negative.")
    if due_at is None:
        return NOT_DUE
    aware(due_at, "due_at")
    left = as_utc(due_at) - as_utc(now)
    if left < timedelta(0):
        return OVERDUE
    if left <= margin:
        return AT_RISK
    return ON_TRACK


# Who may call


def may_record_attempt(*, actor_id, assigned_to_id, actor_is_lead):
    """Only the agent who holds a callback records its attempts; a team lead (or above) may
    record one on any callback, held or not. Nobody holds it: only a team lead may, because an
    agent takes work through the queue first."""
    if actor_is_lead:
        return True
    return assigned_to_id is not None and assigned_to_id == actor_id


# Cancelling and reopening

RESOLVED_ITSELF = "resolved"
CUSTOMER_ASKED = "customer_asked"
DUPLICATE = "duplicate"
OTHER = "other"

CANCEL_REASONS = {
    RESOLVED_ITSELF: "Resolved by itself",
    CUSTOMER_ASKED: "Customer asked",
    DUPLICATE: "Duplicate",
    OTHER: "Other",
}

# Numbers

MAX_NUMBERS = 3
