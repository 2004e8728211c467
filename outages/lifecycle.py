"""What may happen to an outage: its statuses, the moves between them, and the checks on its times.

Pure rules: no database, no clock. Every time is passed in as an aware ``datetime``; the
services call ``timezone.now()`` once and hand it down as ``now``.

Statuses, in order::

    investigating -> identified -> monitoring -> restored -> closed

The three before restoration are the *open* statuses (``OPEN_STATUSES``).

Moves (``check_transition`` refuses anything else with ``TransitionRefused``):

- Forward, one step or several, among the open statuses: investigating -> monitoring is fine
  when the cause was found and fixed in one go.
- From any open status straight to restored: services often come back before anyone posts
  "monitoring".
- Restored -> closed. Closing is allowed *only* from restored.
- Restored -> investigating is the reopen, and the only backward move. A restored outage cannot
  go back to identified or monitoring: it is reopened as investigating and moves forward again.
- Closed is terminal: nothing changes a closed outage; a recurrence is a new outage.
- "Same status" is not a transition: posting an update without changing the status is allowed
  in every status except closed.

Times:

- A restoration time may not lie in the future (beyond ``RESTORED_AT_TOLERANCE``, 60 seconds,
  to absorb the skew between the supervisor's clock and the server's) and may not lie before
  the outage started. Restored exactly at the start is accepted.
- An estimated restoration time (ETR) may not lie before the outage started. An ETR already in
  the past is accepted: it is what escalation is for.

Escalation (``escalation_reason``), for open outages only:

- ``PAST_ETR``: the ETR has passed (``now > etr``) and the outage is still not restored.
- ``MISSING_ETR``: no ETR has been posted and the outage has been open for at least
  ``missing_etr_after`` (``None`` turns this reason off).

Display: ``describe_duration`` floors to the minute and shows at most two units
("45 min", "3 h 12 min", "2 d 4 h"); ``describe_relative`` adds the direction
("in 3 h 12 min", "12 min ago") and says "now" within a minute either side.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# --- statuses -------------------------------------------------------------------------------

INVESTIGATING = "investigating"
IDENTIFIED = "identified"
MONITORING = "monitoring"
RESTORED = "restored"
CLOSED = "closed"

STATUSES: tuple[str, ...] = (INVESTIGATING, IDENTIFIED, MONITORING, RESTORED, CLOSED)
STATUS_LABELS: dict[str, str] = {
    INVESTIGATING: "Investigating",
    IDENTIFIED: "Identified",
    MONITORING: "Monitoring",
    RESTORED: "Restored",
    CLOSED: "Closed",
}
OPEN_STATUSES: frozenset[str] = frozenset({INVESTIGATING, IDENTIFIED, MONITORING})

# --- kinds ----------------------------------------------------------------------------------

NETWORK = "network"
SYSTEMS = "systems"

KINDS: tuple[str, ...] = (NETWORK, SYSTEMS)
KIND_LABELS: dict[str, str] = {
    NETWORK: "Network (named areas)",
    SYSTEMS: "Internal systems (all areas, accounts unreadable)",
}

# --- severities -----------------------------------------------------------------------------

MINOR = "minor"
MAJOR = "major"
CRITICAL = "critical"

SEVERITIES: tuple[str, ...] = (MINOR, MAJOR, CRITICAL)
SEVERITY_LABELS: dict[str, str] = {
    MINOR: "Minor",
    MAJOR: "Major",
    CRITICAL: "Critical",
}

# --- escalation -----------------------------------------------------------------------------

PAST_ETR = "past_etr"
MISSING_ETR = "missing_etr"

ESCALATION_LABELS: dict[str, str] = {
    PAST_ETR: "Still not restored past its estimated restoration time",
    MISSING_ETR: "No estimated restoration time posted yet",
}

RESTORED_AT_TOLERANCE = timedelta(seconds=60)
# An ETR is a promise for the coming days: further than this from now (or from the start,
# if later) is a typo, and past year 9999 it would break every page that shows it.
ETR_MAX_AHEAD = timedelta(days=30)
"""How far in the future a restoration time may lie: clock skew, not foresight."""

# The moves each status allows, in the order the buttons are shown: forward first, reopen last.
_NEXT: dict[str, tuple[str, ...]] = {
    INVESTIGATING: (IDENTIFIED, MONITORING, RESTORED),
    IDENTIFIED: (MONITORING, RESTORED),
    MONITORING: (RESTORED,),
    RESTORED: (CLOSED, INVESTIGATING),
    CLOSED: (),
}


class TransitionRefused(Exception):
    """A change this module refuses, with a ``message`` a supervisor can read.

    Raised for refused status moves, unknown status names, and impossible restoration or
    estimated restoration times.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _label(status: str) -> str:
    return STATUS_LABELS[status]


def _require_known(status: str) -> None:
    if status not in STATUS_LABELS:
        raise TransitionRefused(f'Unknown outage status "{status}".')


def _require_aware(**values: datetime | None) -> None:
    for name, value in values.items():
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError(f"{name} must be an aware datetime, got {value!r}")


# --- status moves ---------------------------------------------------------------------------


def allowed_next(current: str) -> tuple[str, ...]:
    """The statuses an outage in ``current`` may move to, in button order (forward, then reopen).

    Does not include ``current`` itself: posting an update without a status change is always
    possible while not closed, and is not a move.
    """
    _require_known(current)
    return _NEXT[current]


def check_transition(current: str, target: str) -> None:
    """Raise ``TransitionRefused`` unless an outage in ``current`` may go to ``target``."""
    _require_known(current)
    _require_known(target)
    if current == CLOSED:
        raise TransitionRefused("A closed outage cannot change; declare a new one.")
    if target == current or target in _NEXT[current]:
        return
    if target == CLOSED:
        raise TransitionRefused("Only a restored outage can be closed.")
    if current == RESTORED:
        raise TransitionRefused(
            f"A restored outage cannot go back to {_label(target)}; "
            f"reopen it as {_label(INVESTIGATING)} instead."
        )
    # Only backward moves among the open statuses are left.
    raise TransitionRefused(
        f"An outage cannot go back from {_label(current)} to {_label(target)}; "
        "post an update at the current status instead."
    )


def is_reopen(current: str, target: str) -> bool:
    """True for the one backward move: a restored outage going back to investigating."""
    return current == RESTORED and target == INVESTIGATING


# --- times ----------------------------------------------------------------------------------


def check_restored_at(*, restored_at: datetime, started_at: datetime, now: datetime) -> None:
    """Refuse a restoration time in the future (beyond the tolerance) or before the start."""
    _require_aware(restored_at=restored_at, started_at=started_at, now=now)
    if restored_at > now + RESTORED_AT_TOLERANCE:
        raise TransitionRefused("The restoration time is in the future.")
    if restored_at < started_at:
        raise TransitionRefused("The restoration time is before the outage started.")


def etr_window(*, started_at: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest ETR an outage may have: its start, and ``ETR_MAX_AHEAD`` after
    now (or after the start, for an outage recorded as starting later)."""
    return started_at, max(started_at, now) + ETR_MAX_AHEAD


def check_etr(*, etr: datetime | None, started_at: datetime, now: datetime | None = None) -> None:
    """Refuse an estimated restoration time before the outage started, or (given ``now``) more
    than ``ETR_MAX_AHEAD`` ahead. ``None`` means no ETR."""
    _require_aware(etr=etr, started_at=started_at)
    if etr is not None and etr < started_at:
        raise TransitionRefused("The estimated restoration time is before the outage started.")
    if etr is not None and now is not None:
        _, latest = etr_window(started_at=started_at, now=now)
        if etr > latest:
            raise TransitionRefused(
                "The estimated restoration time must be within "
                f"{ETR_MAX_AHEAD.days} days: no later than {latest:%Y-%m-%d %H:%M} UTC."
            )


def escalation_reason(
    *,
    status: str,
    etr: datetime | None,
    started_at: datetime,
    now: datetime,
    missing_etr_after: timedelta | None,
) -> str | None:
    """Why an open outage should be escalated now: ``PAST_ETR``, ``MISSING_ETR``, or None."""
    _require_aware(etr=etr, started_at=started_at, now=now)
    if status not in OPEN_STATUSES:
        return None
    if etr is not None:
        return PAST_ETR if now > etr else None
    if missing_etr_after is not None and now - started_at >= missing_etr_after:
        return MISSING_ETR
    return None


def duration(*, started_at: datetime, restored_at: datetime) -> timedelta:
    """How long the outage lasted. For one still open, pass ``now`` as ``restored_at``.

    Never negative: a restoration before the start is refused on write, and a display must not
    break on it, so such a pair counts as zero.
    """
    _require_aware(started_at=started_at, restored_at=restored_at)
    return max(restored_at - started_at, timedelta(0))


def describe_duration(td: timedelta) -> str:
    """A length of time for people: "45 min", "3 h 12 min", "2 d 4 h", "under 1 min".

    Floors to the minute and keeps at most two units; a zero second unit is left out ("3 h",
    "2 d"). The sign is ignored: ``describe_relative`` says which way.
    """
    minutes = abs(td) // timedelta(minutes=1)
    if minutes < 1:
        return "under 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def describe_relative(*, target: datetime, now: datetime) -> str:
    """``target`` seen from ``now``: "in 3 h 12 min", "12 min ago", or "now" within a minute."""
    _require_aware(target=target, now=now)
    delta = target - now
    if abs(delta) < timedelta(minutes=1):
        return "now"
    if delta > timedelta(0):
        return f"in {describe_duration(delta)}"
    return f"{describe_duration(delta)} ago"
