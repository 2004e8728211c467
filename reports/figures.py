"""The arithmetic of the reports: shares, medians, ETR accuracy, weeks and busiest hours.

Pure: no database, no clock. Inputs are plain numbers and aware datetimes.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta


def share(part, whole):
    """``part / whole`` as a fraction, or None when there is nothing to divide."""
    return part / whole if whole else None


def percent(fraction):
    """ "83.3%" or an em dash for no data."""
    return "—" if fraction is None else f"{100 * fraction:.1f}%"


def median(values):
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class EtrGiven:
    """One ETR as announced, against the actual restoration. ``error`` is restored minus
    promised: positive when the service came back later than we said."""

    announced_at: datetime
    etr: datetime
    restored_at: datetime | None

    @property
    def error(self):
        return None if self.restored_at is None else self.restored_at - self.etr


def etr_accuracy(etrs):
    """Median and worst (by size) ETR error over the ETRs of restored outages, as timedeltas;
    (None, None) when none was given."""
    errors = [e.error for e in etrs if e.error is not None]
    if not errors:
        return None, None
    worst = max(errors, key=abs)
    seconds = median([abs(error.total_seconds()) for error in errors])
    return timedelta(seconds=seconds), worst


def describe_error(error):
    """ "2 h 10 min late", "35 min early", "on time" (within a minute)."""
    if error is None:
        return "—"
    minutes = int(abs(error.total_seconds()) // 60)
    if minutes == 0:
        return "on time"
    hours, minutes = divmod(minutes, 60)
    words = f"{minutes} min"
    if hours:
        words = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{words} {'late' if error > timedelta(0) else 'early'}"


def week_start(day):
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def weeks_between(start, end):
    """Mondays of every week touching ``[start, end)`` (dates)."""
    monday = week_start(start)
    weeks = []
    while monday < end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def hours_of_day(counts_by_hour):
    """{local hour 0-23: count} -> a list of 24 (hour, count), every hour present."""
    return [(hour, counts_by_hour.get(hour, 0)) for hour in range(24)]


def busiest(pairs, k=3):
    """The ``k`` largest (label, count) pairs with a count, largest first, ties by label."""
    ranked = sorted((p for p in pairs if p[1]), key=lambda p: (-p[1], p[0]))
    return ranked[:k]


def clamp_range(start, end, *, longest=timedelta(days=400)):
    """A date range the page accepts: ``end`` after ``start``, at most ``longest`` long."""
    if end <= start:
        end = start + timedelta(days=1)
    if end - start > longest:
        start = end - longest
    return start, end


def as_date(value):
    return value.date() if isinstance(value, datetime) else value


def date_label(day):
    return day.strftime("%d %b %Y") if isinstance(day, date) else ""
