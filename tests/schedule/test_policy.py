"""Calling hours, the customer's window and the deadline they give (all on New York's clock)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedule import policy as schedule
from schedule.policy import ScheduleError

NEW_YORK = ZoneInfo("America/New_York")
RESTORED = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
NAIVE = datetime(2026, 5, 4, 8, 0)


# Calling hours, the customer's window and the deadline they give (all on New York's clock)

HOURS = schedule.CallingHours(
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
    assert schedule.in_calling_hours(moment, hours=HOURS) is inside


@pytest.mark.parametrize(
    "opens, closes",
    [(21, 8), (8, 8)],
)
def test_calling_hours_must_open_before_they_close(opens, closes):
    with pytest.raises(ValueError):
        schedule.CallingHours(
            opens=datetime.min.time().replace(hour=opens),
            closes=datetime.min.time().replace(hour=closes),
            zone=NEW_YORK,
        )


@pytest.mark.parametrize(
    "due, released, expected, how",
    [
        # in hours, or exactly at closing: kept
        (ny(2026, 5, 4, 14, 0), ny(2026, 5, 4, 6, 0), ny(2026, 5, 4, 14, 0), schedule.KEPT),
        (ny(2026, 5, 4, 21, 0), ny(2026, 5, 4, 13, 0), ny(2026, 5, 4, 21, 0), schedule.KEPT),
        # closed in the evening, enough calling time since release: brought forward to 21:00
        (
            ny(2026, 5, 4, 23, 30),
            ny(2026, 5, 4, 15, 30),
            ny(2026, 5, 4, 21, 0),
            schedule.BROUGHT_FORWARD,
        ),
        # exactly the minimum left: still brought forward
        (
            ny(2026, 5, 5, 4, 0),
            ny(2026, 5, 4, 20, 0),
            ny(2026, 5, 4, 21, 0),
            schedule.BROUGHT_FORWARD,
        ),
        # released at 20:30: half an hour is not enough; next opening plus the minimum,
        # across midnight into the next day
        (
            ny(2026, 5, 5, 4, 30),
            ny(2026, 5, 4, 20, 30),
            ny(2026, 5, 5, 9, 0),
            schedule.MOVED_TO_OPENING,
        ),
        # released overnight, due before opening
        (
            ny(2026, 5, 5, 6, 0),
            ny(2026, 5, 4, 22, 0),
            ny(2026, 5, 5, 9, 0),
            schedule.MOVED_TO_OPENING,
        ),
        # released the morning before, due before opening: the previous evening's closing
        (
            ny(2026, 5, 5, 7, 0),
            ny(2026, 5, 4, 9, 0),
            ny(2026, 5, 4, 21, 0),
            schedule.BROUGHT_FORWARD,
        ),
        # across the autumn DST change (1 Nov 2026, 02:00 -> 01:00): released 20:30 EDT,
        # due 04:30 EST; the next opening is 08:00 EST = 13:00 UTC, plus one hour
        (
            ny(2026, 11, 1, 4, 30),
            ny(2026, 10, 31, 20, 30),
            datetime(2026, 11, 1, 14, 0, tzinfo=UTC),
            schedule.MOVED_TO_OPENING,
        ),
        # across the spring change (8 Mar 2026): closing the evening before is 21:00 EST
        (
            ny(2026, 3, 8, 3, 30),
            ny(2026, 3, 7, 12, 0),
            datetime(2026, 3, 8, 2, 0, tzinfo=UTC),
            schedule.BROUGHT_FORWARD,
        ),
    ],
)
def test_a_deadline_in_closed_hours(due, released, expected, how):
    result, moved = schedule.deadline_in_calling_hours(
        due_at=due, released_at=released, hours=HOURS, min_calling=MIN_CALLING
    )
    assert (result, moved) == (expected, how)
    assert result.tzinfo is due.tzinfo
    assert not schedule.closed_hours(result, hours=HOURS)


def test_a_deadline_in_utc_is_judged_on_the_customers_clock():
    # 02:00 UTC on 5 May is 22:00 in New York: closed, brought forward to 21:00 NY = 01:00 UTC
    due = datetime(2026, 5, 5, 2, 0, tzinfo=UTC)
    result, how = schedule.deadline_in_calling_hours(
        due_at=due, released_at=due - 8 * HOUR, hours=HOURS, min_calling=MIN_CALLING
    )
    assert (result, how) == (datetime(2026, 5, 5, 1, 0, tzinfo=UTC), schedule.BROUGHT_FORWARD)


FILED = ny(2026, 5, 4, 10, 0)


@pytest.mark.parametrize(
    "choice, due_from, start, end",
    [
        (schedule.ANY_TIME, ny(2026, 5, 4, 12, 0), None, None),
        # the day's window when it has not ended yet, even if it has already opened
        (schedule.EVENING, ny(2026, 5, 4, 12, 0), ny(2026, 5, 4, 17, 0), ny(2026, 5, 4, 21, 0)),
        (schedule.EVENING, ny(2026, 5, 4, 18, 0), ny(2026, 5, 4, 17, 0), ny(2026, 5, 4, 21, 0)),
        (schedule.MORNING, ny(2026, 5, 4, 7, 0), ny(2026, 5, 4, 8, 0), ny(2026, 5, 4, 12, 0)),
        # due from late evening: the window runs across midnight into the next day
        (schedule.MORNING, ny(2026, 5, 4, 23, 30), ny(2026, 5, 5, 8, 0), ny(2026, 5, 5, 12, 0)),
        (schedule.EVENING, ny(2026, 5, 4, 23, 30), ny(2026, 5, 5, 17, 0), ny(2026, 5, 5, 21, 0)),
        (schedule.AFTERNOON, ny(2026, 5, 4, 17, 0), ny(2026, 5, 5, 12, 0), ny(2026, 5, 5, 17, 0)),
        # "tomorrow morning" is the morning after the call, whenever the callback is due
        (
            schedule.TOMORROW_MORNING,
            ny(2026, 5, 4, 12, 0),
            ny(2026, 5, 5, 8, 0),
            ny(2026, 5, 5, 12, 0),
        ),
    ],
)
def test_the_window_in_real_instants(choice, due_from, start, end):
    window = schedule.window_bounds(choice=choice, filed_at=FILED, due_from=due_from, hours=HOURS)
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
    window = schedule.window_bounds(
        choice=schedule.TOMORROW_MORNING, filed_at=filed, due_from=filed, hours=HOURS
    )
    assert window.start == start_utc
    assert window.end - window.start == 4 * HOUR


@pytest.mark.parametrize(
    "choice, slot",
    [
        (schedule.SLOT, (ny(2026, 5, 4, 9, 0), ny(2026, 5, 4, 11, 0))),
        (schedule.SLOT, (ny(2026, 5, 4, 9, 0), ny(2026, 5, 4, 12, 0))),  # ends as it is due
        (schedule.TOMORROW_MORNING, (None, None)),  # the outage outlasted the morning
    ],
)
def test_a_window_that_has_already_passed_is_dropped(choice, slot):
    due_from = ny(2026, 5, 4, 12, 0) if choice == schedule.SLOT else ny(2026, 5, 5, 13, 0)
    window = schedule.window_bounds(
        choice=choice,
        filed_at=FILED,
        due_from=due_from,
        hours=HOURS,
        slot_start=slot[0],
        slot_end=slot[1],
    )
    assert window == schedule.Window(None, None, passed=True)


@pytest.mark.parametrize(
    "slot_start, slot_end, message",
    [
        (None, ny(2026, 5, 4, 11, 0), "needs its start and its end"),
        (ny(2026, 5, 4, 11, 0), ny(2026, 5, 4, 11, 0), "must be after its start"),
    ],
)
def test_a_slot_needs_a_start_before_its_end(slot_start, slot_end, message):
    with pytest.raises(ScheduleError, match=message):
        schedule.window_bounds(
            choice=schedule.SLOT,
            filed_at=FILED,
            due_from=FILED,
            hours=HOURS,
            slot_start=slot_start,
            slot_end=slot_end,
        )


def test_an_unknown_window_is_refused():
    with pytest.raises(ScheduleError):
        schedule.window_bounds(choice="midnight", filed_at=FILED, due_from=FILED, hours=HOURS)


TARGET = ny(2026, 5, 4, 14, 0)  # restored at 06:00, due 8 hours later
RELEASED = ny(2026, 5, 4, 6, 0)


@pytest.mark.parametrize(
    "window, due, rescheduled, how",
    [
        (schedule.NO_WINDOW, TARGET, False, schedule.KEPT),
        # the window opens before the target: the target stands
        (
            schedule.Window(ny(2026, 5, 4, 8, 0), ny(2026, 5, 4, 12, 0)),
            TARGET,
            False,
            schedule.KEPT,
        ),
        # opens after the target: its start plus the grace, rescheduled at the customer's request
        (
            schedule.Window(ny(2026, 5, 4, 17, 0), ny(2026, 5, 4, 21, 0)),
            ny(2026, 5, 4, 19, 0),
            True,
            schedule.KEPT,
        ),
        # a short slot: no later than its end
        (
            schedule.Window(ny(2026, 5, 4, 18, 0), ny(2026, 5, 4, 18, 30)),
            ny(2026, 5, 4, 18, 30),
            True,
            schedule.KEPT,
        ),
        # a slot across midnight (20:00 to 01:00): start plus grace is 22:00, closed; the
        # customer's window gives an hour of calling before 21:00, so the deadline is 21:00
        (
            schedule.Window(ny(2026, 5, 4, 20, 0), ny(2026, 5, 5, 1, 0)),
            ny(2026, 5, 4, 21, 0),
            True,
            schedule.BROUGHT_FORWARD,
        ),
        # a slot at 20:30: half an hour before closing is too little: next morning at 9:00
        (
            schedule.Window(ny(2026, 5, 4, 20, 30), ny(2026, 5, 4, 23, 0)),
            ny(2026, 5, 5, 9, 0),
            True,
            schedule.MOVED_TO_OPENING,
        ),
        # tomorrow morning across the autumn DST change: 8:00 EST + 2 h = 15:00 UTC
        (
            schedule.Window(ny(2026, 11, 1, 8, 0), ny(2026, 11, 1, 12, 0)),
            datetime(2026, 11, 1, 15, 0, tzinfo=UTC),
            True,
            schedule.KEPT,
        ),
    ],
)
def test_the_deadline_follows_a_window_that_opens_after_the_target(window, due, rescheduled, how):
    plan = schedule.plan_deadline(
        target_due=TARGET,
        released_at=RELEASED,
        window=window,
        hours=HOURS,
        grace=GRACE,
        min_calling=MIN_CALLING,
    )
    assert plan == schedule.Deadline(due, rescheduled, how)


def test_a_target_in_closed_hours_without_a_window_is_moved_but_not_rescheduled():
    plan = schedule.plan_deadline(
        target_due=ny(2026, 5, 4, 23, 0),
        released_at=ny(2026, 5, 4, 15, 0),
        window=schedule.NO_WINDOW,
        hours=HOURS,
        grace=GRACE,
        min_calling=MIN_CALLING,
    )
    assert plan == schedule.Deadline(ny(2026, 5, 4, 21, 0), False, schedule.BROUGHT_FORWARD)


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
    assert schedule.offerable(now=now, window_start=window_start, hours=HOURS) is expected


def test_an_escalation_is_due_within_its_target_in_calling_hours():
    assert schedule.escalation_due_at(
        now=ny(2026, 5, 4, 10, 0), target=4 * HOUR, hours=HOURS, min_calling=MIN_CALLING
    ) == ny(2026, 5, 4, 14, 0)
    assert schedule.escalation_due_at(
        now=ny(2026, 5, 4, 20, 30), target=4 * HOUR, hours=HOURS, min_calling=MIN_CALLING
    ) == ny(2026, 5, 5, 9, 0)


def test_calling_hours_to_the_end_of_the_day_never_close():
    always = schedule.CallingHours(
        opens=datetime.min.time(), closes=datetime.max.time(), zone=NEW_YORK
    )
    assert schedule.in_calling_hours(ny(2026, 5, 4, 23, 59, 59), hours=always)
    assert schedule.offerable(now=ny(2026, 5, 4, 3, 0), window_start=None, hours=always)
