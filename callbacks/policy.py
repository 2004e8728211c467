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
from datetime import UTC, datetime, time, timedelta, tzinfo

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


# Time helpers


def _aware(value, name):
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, not {type(value).__name__}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware.")
    return value


def _utc(value):
    # Arithmetic and comparisons go through UTC: Python compares and subtracts two datetimes
    # sharing a tzinfo on the wall clock, which is wrong across a daylight-saving change.
    return value.astimezone(UTC)


def _later_by(moment, duration):
    """``moment + duration`` in real elapsed time, in ``moment``'s time zone."""
    return (_utc(moment) + duration).astimezone(moment.tzinfo)


# Deadlines


def first_due_at(*, restored_at, filed_at, rules):
    """When the first attempt is due: ``rules.target`` after the later of restoration and filing
    (a request filed after the restoration gets the whole target from its filing)."""
    _aware(restored_at, "restored_at")
    _aware(filed_at, "filed_at")
    start = filed_at if _utc(filed_at) > _utc(restored_at) else restored_at
    return _later_by(start, rules.target)


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


def _label(status):
    return STATUS_LABELS.get(status, repr(status))


def _names(statuses):
    labels = [_label(s) for s in STATUSES if s in statuses]
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
            retry_due = _later_by(attempted_at, rules.retry_window)
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
            f"Cannot record an attempt on a callback that is {_label(status)}: "
            f"only {_names(WORKABLE_STATUSES)} callbacks can be called."
        )
    if outcome not in OUTCOMES:
        raise PolicyError(f"Unknown call outcome {outcome!r}.")
    if isinstance(attempt_number, bool) or not isinstance(attempt_number, int):
        raise PolicyError("The attempt number must be a whole number.")
    if attempt_number < 1:
        raise PolicyError("Attempts are numbered from 1.")
    _aware(attempted_at, "attempted_at")
    if due_at is not None:
        _aware(due_at, "due_at")


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
            raise PolicyError(f"This callback is {_label(current)}: it cannot change any more.")
        raise PolicyError(f"A callback cannot go from {_label(current)} to {_label(target)}.")


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
    raise PolicyError(f"A callback that is {_label(status)} cannot be assigned to an agent.")


def status_after_unassign(status):
    """Status once no agent holds the callback (unassigned, or the agent went off duty)."""
    if status == ASSIGNED:
        return QUEUED
    if status == RETRY:
        return RETRY
    raise PolicyError(f"A callback that is {_label(status)} is not held by an agent.")


# Risk


def risk(*, due_at, now, margin):
    """How a deadline stands at ``now``: ``NOT_DUE`` without a deadline, ``OVERDUE`` once it has
    passed (a callback due at 16:00 made at 16:00 is in time), ``AT_RISK`` when it falls within
    ``margin`` (boundary included), ``ON_TRACK`` otherwise."""
    _aware(now, "now")
    if margin < timedelta(0):
        raise ValueError("The at-risk margin cannot be negative.")
    if due_at is None:
        return NOT_DUE
    _aware(due_at, "due_at")
    left = _utc(due_at) - _utc(now)
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

# Statuses a callback may be cancelled from: still to be called, or a letter not yet posted.
CANCELLABLE_STATUSES = frozenset(
    s for s, targets in ALLOWED_TRANSITIONS.items() if CANCELLED in targets
)

REOPEN_PERIOD = timedelta(days=1)


def check_cancel(*, status, reason, note, by_customer, actor_id, assigned_to_id, actor_is_lead):
    """Raise ``PolicyError`` unless this cancellation is allowed: the customer (self-service),
    a team lead, or the agent who holds the callback; a known reason, with a note for "Other"."""
    if reason not in CANCEL_REASONS:
        raise PolicyError("Choose why the callback is cancelled.")
    if reason == OTHER and not (note or "").strip():
        raise PolicyError("Say why the callback is cancelled.")
    if not by_customer:
        if actor_id is None:
            raise PolicyError("A cancellation needs the person who made it, or the customer.")
        if not actor_is_lead and (assigned_to_id is None or assigned_to_id != actor_id):
            raise PolicyError(
                "Only the agent who holds this callback, or a team lead, can cancel it."
            )
    if status not in CANCELLABLE_STATUSES:
        raise PolicyError(f"This callback is {_label(status)}: it cannot be cancelled.")


def status_on_cancel_reopen(*, cancelled_from, cancelled_at, now, outage_restored):
    """A team lead brings a cancelled callback back (within ``REOPEN_PERIOD`` of the
    cancellation): it returns to what it was, except that it is never held by an agent any more
    (an assigned callback comes back queued) and a callback waiting for an outage that has
    been restored since comes back queued. Cancelled is otherwise terminal: the ordinary state
    machine has no way out of it."""
    _aware(cancelled_at, "cancelled_at")
    _aware(now, "now")
    if _utc(now) - _utc(cancelled_at) > REOPEN_PERIOD:
        raise PolicyError("A cancelled callback can only be reopened within a day.")
    if cancelled_from not in CANCELLABLE_STATUSES:
        raise PolicyError("This callback cannot be reopened: its earlier status is unknown.")
    if cancelled_from == WAITING:
        return QUEUED if outage_restored else WAITING
    if cancelled_from == ASSIGNED:
        return QUEUED
    return cancelled_from


def due_on_cancel_reopen(*, due_at, now, rules):
    """The deadline of a reopened callback: the one it had when still ahead, otherwise the
    retry window from now (it has been waiting already; it is not given the whole target)."""
    _aware(now, "now")
    if due_at is not None and _utc(_aware(due_at, "due_at")) > _utc(now):
        return due_at
    return _later_by(now, rules.retry_window)


# Numbers

MAX_NUMBERS = 3


def next_number_position(*, position, numbers):
    """The position (from 1) of the number to dial after a wrong number on ``position``, or
    ``None`` when it was the last one. ``numbers``: the callback's numbers in order, blanks
    allowed (they are skipped)."""
    for later in range(position + 1, len(numbers) + 1):
        if numbers[later - 1]:
            return later
    return None


# Calling hours


@dataclass(frozen=True)
class CallingHours:
    """When customers may be called, on their wall clock: ``[opens, closes)`` every day."""

    opens: time
    closes: time
    zone: tzinfo

    def __post_init__(self):
        if self.zone is None:
            raise ValueError("Calling hours need a time zone.")
        if not self.opens < self.closes:
            raise ValueError("Calling hours must open before they close on the same day.")


def _local(moment, hours):
    return _utc(_aware(moment, "moment")).astimezone(hours.zone)


def _at(day, clock, zone):
    # ``fold=0``: an ambiguous wall time is its first occurrence; calling hours never sit in
    # the small hours where clocks change, but windows are computed the same way.
    return datetime.combine(day, clock, tzinfo=zone)


def in_calling_hours(moment, *, hours):
    """Whether a call may be made at ``moment``."""
    return hours.opens <= _local(moment, hours).time() < hours.closes


def next_opening(moment, *, hours):
    """The first instant at or after ``moment`` when calls may be made."""
    if in_calling_hours(moment, hours=hours):
        return moment
    local = _local(moment, hours)
    day = local.date() if local.time() < hours.opens else local.date() + timedelta(days=1)
    return _at(day, hours.opens, hours.zone)


def last_closing(moment, *, hours):
    """The end of the last calling period that closed at or before ``moment``."""
    local = _local(moment, hours)
    day = local.date() if local.time() >= hours.closes else local.date() - timedelta(days=1)
    return _at(day, hours.closes, hours.zone)


KEPT = ""
BROUGHT_FORWARD = "earlier"
MOVED_TO_OPENING = "later"


def deadline_in_calling_hours(*, due_at, released_at, hours, min_calling):
    """Where a deadline that falls in closed hours goes (the centre cannot call then).

    * in calling hours, or exactly at closing: kept;
    * otherwise brought forward to the closing before it (23:30 -> 21:00 the same evening),
      so the work is done while calls may be made, provided the callback has at least
      ``min_calling`` of calling time between its release and that closing;
    * otherwise (released late in the evening, or overnight) moved to the next opening plus
      ``min_calling`` (04:30 -> 09:00 with calls from 08:00 and one hour of minimum).

    Returns ``(due_at, how)`` with ``how`` one of ``KEPT``, ``BROUGHT_FORWARD``,
    ``MOVED_TO_OPENING``. The result keeps ``due_at``'s time zone."""
    _aware(due_at, "due_at")
    _aware(released_at, "released_at")
    if min_calling <= timedelta(0):
        raise ValueError("The minimum calling time must be positive.")
    local = _local(due_at, hours)
    if in_calling_hours(due_at, hours=hours) or local.time() == hours.closes:
        return due_at, KEPT
    closing = last_closing(due_at, hours=hours)
    period_opens = _at(_local(closing, hours).date(), hours.opens, hours.zone)
    calling_from = max(_utc(released_at), _utc(period_opens))
    if _utc(closing) - calling_from >= min_calling:
        return closing.astimezone(due_at.tzinfo), BROUGHT_FORWARD
    opening = next_opening(due_at, hours=hours)
    return _later_by(opening, min_calling).astimezone(due_at.tzinfo), MOVED_TO_OPENING


def closed_hours(due_at, *, hours):
    """Whether a deadline falls where nobody may be called (closing time itself is open)."""
    _aware(due_at, "due_at")
    if in_calling_hours(due_at, hours=hours):
        return False
    return _local(due_at, hours).time() != hours.closes


# The customer's preferred window

ANY_TIME = "any"
MORNING = "morning"
AFTERNOON = "afternoon"
EVENING = "evening"
TOMORROW_MORNING = "tomorrow_morning"
SLOT = "slot"

WINDOW_LABELS = {
    ANY_TIME: "Any time",
    MORNING: "Morning (8:00-12:00)",
    AFTERNOON: "Afternoon (12:00-17:00)",
    EVENING: "After 17:00",
    TOMORROW_MORNING: "Tomorrow morning (8:00-12:00)",
    SLOT: "A specific time",
}

# Daily windows on the customer's wall clock; the evening runs to the close of calling hours.
DAILY_WINDOWS = {
    MORNING: (time(8, 0), time(12, 0)),
    AFTERNOON: (time(12, 0), time(17, 0)),
    EVENING: (time(17, 0), None),
}


@dataclass(frozen=True)
class Window:
    """A window in real instants. ``start`` is ``None`` for "any time" and for a window that had
    already passed (``passed``): then the callback is simply due as usual."""

    start: datetime | None
    end: datetime | None
    passed: bool = False


NO_WINDOW = Window(None, None)


def window_bounds(*, choice, filed_at, due_from, hours, slot_start=None, slot_end=None):
    """The real instants of the customer's window.

    ``filed_at``: when the customer asked ("tomorrow morning" means the day after that call).
    ``due_from``: when the callback becomes due (its release); a daily window ("after 17:00")
    is the first one that has not ended by then, so a window asked for at 23:30 is the next
    day's (it runs across midnight into tomorrow). A slot is taken as given; when its end is
    at or before ``due_from`` it has already passed and is dropped (``Window.passed``).
    Times on the customer's wall clock use ``hours.zone`` (so "8:00" is 8:00 on either side of
    a daylight-saving change)."""
    _aware(filed_at, "filed_at")
    _aware(due_from, "due_from")
    if choice == ANY_TIME or not choice:
        return NO_WINDOW
    if choice == SLOT:
        if slot_start is None or slot_end is None:
            raise PolicyError("A specific time needs its start and its end.")
        _aware(slot_start, "slot_start")
        _aware(slot_end, "slot_end")
        if _utc(slot_end) <= _utc(slot_start):
            raise PolicyError("The end of the time to call must be after its start.")
        if _utc(slot_end) <= _utc(due_from):
            return Window(None, None, passed=True)
        return Window(slot_start, slot_end)
    if choice == TOMORROW_MORNING:
        opens, closes = DAILY_WINDOWS[MORNING]
        day = _local(filed_at, hours).date() + timedelta(days=1)
        start, end = _at(day, opens, hours.zone), _at(day, closes, hours.zone)
        if _utc(end) <= _utc(due_from):
            return Window(None, None, passed=True)
        return Window(start, end)
    if choice not in DAILY_WINDOWS:
        raise PolicyError(f"Unknown preferred window {choice!r}.")
    opens, closes = DAILY_WINDOWS[choice]
    closes = closes or hours.closes
    day = _local(due_from, hours).date()
    end = _at(day, closes, hours.zone)
    if _utc(end) <= _utc(due_from):
        day += timedelta(days=1)
        end = _at(day, closes, hours.zone)
    return Window(_at(day, opens, hours.zone), end)


@dataclass(frozen=True)
class Deadline:
    """A callback's deadline once the customer's window and calling hours are applied.
    ``rescheduled``: the window starts after the target, so the deadline follows the window
    and missing the target is not a breach (the customer asked for it). ``hours``: what
    calling hours did (``KEPT``, ``BROUGHT_FORWARD``, ``MOVED_TO_OPENING``)."""

    due_at: datetime
    rescheduled: bool
    hours: str


def plan_deadline(*, target_due, released_at, window, hours, grace, min_calling):
    """The deadline of a callback released at ``released_at`` whose target is ``target_due``.

    When the customer's window opens after the target, the deadline becomes the window's start
    plus ``grace`` (no later than the window's end, when it has one) and the callback is marked
    rescheduled at the customer's request. Then calling hours apply
    (``deadline_in_calling_hours``), counting calling time from the window's start when the
    deadline follows the window."""
    _aware(target_due, "target_due")
    _aware(released_at, "released_at")
    if grace <= timedelta(0):
        raise ValueError("The grace after a window opens must be positive.")
    due, rescheduled, counted_from = target_due, False, released_at
    if window.start is not None and _utc(window.start) > _utc(target_due):
        due = _later_by(window.start, grace)
        if window.end is not None and _utc(window.end) < _utc(due):
            due = window.end
        due = due.astimezone(target_due.tzinfo)
        rescheduled, counted_from = True, window.start
    due, how = deadline_in_calling_hours(
        due_at=due, released_at=counted_from, hours=hours, min_calling=min_calling
    )
    return Deadline(due, rescheduled, how)


def offerable(*, now, window_start, hours):
    """Whether a due callback may be offered to an agent (claimed or distributed) at ``now``:
    inside calling hours, and not before the customer's window opens."""
    _aware(now, "now")
    if not in_calling_hours(now, hours=hours):
        return False
    return window_start is None or _utc(_aware(window_start, "window_start")) <= _utc(now)


def escalation_due_at(*, now, target, hours, min_calling):
    """The deadline of a callback escalated to a team lead: ``target`` from now, in calling
    hours (``deadline_in_calling_hours``)."""
    due, _ = deadline_in_calling_hours(
        due_at=_later_by(_aware(now, "now"), target),
        released_at=now,
        hours=hours,
        min_calling=min_calling,
    )
    return due
