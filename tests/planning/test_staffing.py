"""The staffing alarm's arithmetic (pure): the advice is checked against the simulation."""

import random
from datetime import timedelta

import pytest

from callbacks.policy import DEFAULT_RULES
from planning import simulation, staffing

EIGHT_HOURS = 8 * 3600


def _queue(n, due_in=EIGHT_HOURS, attempts_left=2):
    return [staffing.OpenCallback(due_in=due_in, attempts_left=attempts_left) for _ in range(n)]


def test_adding_the_suggested_agents_meets_the_target_in_the_simulation():
    queue = _queue(1300)
    result = staffing.forecast(queue, agents_on_duty=18, seed=7)
    assert result.alarm
    assert result.agents_needed > 18
    # Same draw, run directly through the simulation: the suggested staffing calls everyone
    # in time, one agent fewer does not.
    drawn = staffing.draw(
        queue, rng=random.Random(7), handle_minutes=staffing.DEFAULT_HANDLE_MINUTES
    )

    def late(m):
        r = simulation.simulate(
            drawn, m=m, strategy=simulation.EDF, retry_window=DEFAULT_RULES.retry_window
        )
        return r.callbacks - r.in_time

    assert late(18) == result.will_miss
    assert late(result.agents_needed) == 0
    assert late(result.agents_needed - 1) > 0
    assert result.capacity_bound >= 1300 - result.will_miss
    assert result.sentence(8) == (
        f"{result.will_miss:,} of 1,300 callbacks will miss the 8-hour target with 18 agents "
        f"on duty; with {result.agents_needed} agents all are called in time."
    )


def test_enough_agents_no_alarm():
    result = staffing.forecast(_queue(50), agents_on_duty=20, seed=1)
    assert (result.will_miss, result.agents_needed, result.alarm) == (0, None, False)
    assert result.capacity_bound == 50
    assert result.sentence(8) == (
        "All 50 open callbacks will be called in time with 20 agents on duty."
    )


def test_callbacks_already_late_cannot_be_saved_by_more_agents():
    queue = _queue(5, due_in=-600) + _queue(400)
    result = staffing.forecast(queue, agents_on_duty=2, seed=3)
    assert result.already_late == 5
    assert result.will_miss > 5
    drawn = staffing.draw(
        queue, rng=random.Random(3), handle_minutes=staffing.DEFAULT_HANDLE_MINUTES
    )
    assert staffing.late_with(drawn, m=result.agents_needed) == 5
    assert "all but the 5 already late are called in time" in result.sentence(8)
    assert result.capacity_bound <= 400


def test_nobody_on_duty():
    result = staffing.forecast(_queue(10), agents_on_duty=0, seed=1)
    assert (result.will_miss, result.capacity_bound) == (10, 0)
    assert result.agents_needed >= 1
    assert result.sentence(8).startswith("10 of 10 callbacks will miss the 8-hour target with 0")


def test_no_open_callbacks():
    result = staffing.forecast([], agents_on_duty=3, seed=1)
    assert result.sentence(8) == "No open callbacks: nothing can miss the target."


@pytest.mark.parametrize(
    ("gaps", "expected"),
    [
        ([10] * 25, 10.0),
        ([8] * 12 + [14] * 13, 14.0),
        ([10] * 5, None),  # too few to trust
        ([10] * 25 + [120] * 30, 10.0),  # breaks (an hour or more) are not calls
    ],
)
def test_observed_handle_minutes(gaps, expected):
    from datetime import UTC, datetime

    t = datetime(2026, 3, 2, 9, tzinfo=UTC)
    times = [t]
    for gap in gaps:
        times.append(times[-1] + timedelta(minutes=gap))
    assert staffing.observed_handle_minutes({1: times}) == expected
