"""When customers may be called: the centre's calling hours, the customer's preferred window,
and where a callback's deadline falls once both apply.

Pure: standard library only, no database and no clock. Every function takes the time it needs
as an argument, and every datetime must be aware (naive ones raise ``ValueError``). Arithmetic
and comparisons go through UTC, so a duration is real elapsed time across a daylight-saving
change; wall-clock times ("8:00", "after 17:00") are read in the calling hours' zone.

The callback rules (``callbacks.policy``) decide *when* work is due; these rules decide when it
may be done. Workload uses them to offer only what may be called now; planning simulates with
them.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo


class ScheduleError(ValueError):
    """A window or deadline the rules do not allow; the message can be shown as it is."""


# Time helpers (shared with the callback rules)


def aware(value, name):
    """``value`` itself, once it is checked to be a timezone-aware datetime."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, not {type(value).__name__}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware.")
    return value


def as_utc(value):
    # Arithmetic and comparisons go through UTC: Python compares and subtracts two datetimes
    # sharing a tzinfo on the wall clock, which is wrong across a daylight-saving change.
    return value.astimezone(UTC)


def later_by(moment, duration):
    """``moment + duration`` in real elapsed time, in ``moment``'s time zone."""
    return (as_utc(moment) + duration).astimezone(moment.tzinfo)


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
    return as_utc(aware(moment, "moment")).astimezone(hours.zone)


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
    aware(due_at, "due_at")
    aware(released_at, "released_at")
    if min_calling <= timedelta(0):
        raise ValueError("The minimum calling time must be positive.")
    local = _local(due_at, hours)
    if in_calling_hours(due_at, hours=hours) or local.time() == hours.closes:
        return due_at, KEPT
    closing = last_closing(due_at, hours=hours)
    period_opens = _at(_local(closing, hours).date(), hours.opens, hours.zone)
    calling_from = max(as_utc(released_at), as_utc(period_opens))
    if as_utc(closing) - calling_from >= min_calling:
        return closing.astimezone(due_at.tzinfo), BROUGHT_FORWARD
    opening = next_opening(due_at, hours=hours)
    return later_by(opening, min_calling).astimezone(due_at.tzinfo), MOVED_TO_OPENING


def closed_hours(due_at, *, hours):
    """Whether a deadline falls where nobody may be called (closing time itself is open)."""
    aware(due_at, "due_at")
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
    aware(filed_at, "filed_at")
    aware(due_from, "due_from")
    if choice == ANY_TIME or not choice:
        return NO_WINDOW
    if choice == SLOT:
        if slot_start is None or slot_end is None:
            raise ScheduleError("A specific time needs its start and its end.")
        aware(slot_start, "slot_start")
        aware(slot_end, "slot_end")
        if as_utc(slot_end) <= as_utc(slot_start):
            raise ScheduleError("The end of the time to call must be after its start.")
        if as_utc(slot_end) <= as_utc(due_from):
            return Window(None, None, passed=True)
        return Window(slot_start, slot_end)
    if choice == TOMORROW_MORNING:
        opens, closes = DAILY_WINDOWS[MORNING]
        day = _local(filed_at, hours).date() + timedelta(days=1)
        start, end = _at(day, opens, hours.zone), _at(day, closes, hours.zone)
        if as_utc(end) <= as_utc(due_from):
            return Window(None, None, passed=True)
        return Window(start, end)
    if choice not in DAILY_WINDOWS:
        raise ScheduleError(f"Unknown preferred window {choice!r}.")
    opens, closes = DAILY_WINDOWS[choice]
    closes = closes or hours.closes
    day = _local(due_from, hours).date()
    end = _at(day, closes, hours.zone)
    if as_utc(end) <= as_utc(due_from):
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
    aware(target_due, "target_due")
    aware(released_at, "released_at")
    if grace <= timedelta(0):
        raise ValueError("The grace after a window opens must be positive.")
    due, rescheduled, counted_from = target_due, False, released_at
    if window.start is not None and as_utc(window.start) > as_utc(target_due):
        due = later_by(window.start, grace)
        if window.end is not None and as_utc(window.end) < as_utc(due):
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
    aware(now, "now")
    if not in_calling_hours(now, hours=hours):
        return False
    return window_start is None or as_utc(aware(window_start, "window_start")) <= as_utc(now)


def escalation_due_at(*, now, target, hours, min_calling):
    """The deadline of a callback escalated to a team lead: ``target`` from now, in calling
    hours (``deadline_in_calling_hours``)."""
    due, _ = deadline_in_calling_hours(
        due_at=later_by(aware(now, "now"), target),
        released_at=now,
        hours=hours,
        min_calling=min_calling,
    )
    return due
