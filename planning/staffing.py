"""The staffing alarm: will the agents on duty call every open callback in time?

Pure: standard library and the restoration simulation only; the time is an argument. The open
callbacks are given as their deadlines (seconds from ``now``, negative when already missed) and
the attempts they may still need; their outcomes and handle times are drawn from ``seed`` the
way ``simulation.draw_callbacks`` draws a restoration's, so the same inputs always give the same
answer. Every callback is available now (release 0): it is already due.

``forecast`` runs the product's distribution order (earliest deadline first) with the agents on
duty and, when some callbacks would be late, finds the fewest agents with whom the simulation
calls every callback in time that still can be (a callback already past its deadline stays
late whatever the staffing). Beside it: the capacity bound, the most that any plan at all could
call in time with the agents on duty.
"""

import math
import random
from dataclasses import dataclass
from datetime import timedelta

from callbacks.policy import DEFAULT_RULES

from . import simulation

DEFAULT_HANDLE_MINUTES = 12.0
DEFAULT_MIX = (0.6, 0.25, 0.15)  # answered, voicemail, no voicemail
MAX_AGENTS_SEARCHED = 5000


@dataclass(frozen=True)
class OpenCallback:
    """One open callback as the forecast sees it: seconds until its deadline (negative when
    passed) and how many attempts it may still take."""

    due_in: int
    attempts_left: int


@dataclass(frozen=True)
class Forecast:
    open_callbacks: int
    already_late: int
    agents_on_duty: int
    will_miss: int
    agents_needed: int | None  # None: nobody is late, or no staffing level could do it
    capacity_bound: int
    handle_minutes: float

    @property
    def alarm(self):
        return self.will_miss > self.already_late

    def sentence(self, target_hours):
        """ "412 of 1,300 callbacks will miss the 8-hour target with 18 agents on duty; with 27
        agents all are called in time." """
        hours = f"{target_hours:g}-hour target"
        if not self.open_callbacks:
            return "No open callbacks: nothing can miss the target."
        agents = _agents(self.agents_on_duty)
        head = (
            f"{self.will_miss:,} of {self.open_callbacks:,} callbacks will miss the {hours} "
            f"with {agents} on duty"
        )
        if not self.will_miss:
            return (
                f"All {self.open_callbacks:,} open callbacks will be called in time "
                f"with {agents} on duty."
            )
        if self.already_late and self.will_miss == self.already_late:
            return f"{head}: all of them are already past their deadline."
        if self.agents_needed is None:
            return f"{head}; no staffing level calls them all in time."
        tail = "all are called in time"
        if self.already_late:
            tail = f"all but the {self.already_late:,} already late are called in time"
        return f"{head}; with {_agents(self.agents_needed)} {tail}."


def _agents(count):
    return f"{count:,} agent" + ("" if count == 1 else "s")


def draw(open_callbacks, *, rng, rules=DEFAULT_RULES, handle_minutes, mix=DEFAULT_MIX):
    """The open callbacks as the simulation's ``DrawnCallback`` rows, outcomes drawn in order."""
    scenario = simulation.Scenario(
        n=1,
        m=1,
        rules=rules,
        handle_mean_minutes=handle_minutes,
        p_answered=mix[0],
        p_voicemail=mix[1],
        p_no_voicemail=mix[2],
    )
    mu = math.log(scenario.handle_mean_minutes) - scenario.handle_sigma**2 / 2
    voicemail = max(1, round(scenario.voicemail_minutes * 60))
    no_answer = max(1, round(scenario.no_answer_minutes * 60))
    answered_below, voicemail_below = mix[0], mix[0] + mix[1]
    drawn = []
    for callback in open_callbacks:
        durations = []
        letter = True
        for _ in range(max(1, callback.attempts_left)):
            outcome = rng.random()
            handle = max(1, round(60 * rng.lognormvariate(mu, scenario.handle_sigma)))
            if letter and outcome < answered_below:
                durations.append(handle)
                letter = False
            elif letter and outcome < voicemail_below:
                durations.append(voicemail)
                letter = False
            elif letter:
                durations.append(no_answer)
        drawn.append(simulation.DrawnCallback(0, callback.due_in, tuple(durations), letter))
    return tuple(drawn)


def late_with(drawn, *, m, rules=DEFAULT_RULES):
    """How many of the drawn callbacks the product's order calls late with ``m`` agents."""
    result = simulation.simulate(
        drawn, m=m, strategy=simulation.EDF, retry_window=rules.retry_window
    )
    return result.callbacks - result.in_time


def agents_needed(drawn, *, unavoidable, start, rules=DEFAULT_RULES, limit=MAX_AGENTS_SEARCHED):
    """The fewest agents (more than ``start``) with whom only the ``unavoidable`` callbacks are
    late, or None when even ``limit`` agents do not manage it. Gallops up from a work bound,
    then bisects; the answer is always one the simulation was run with and met the target."""
    if not drawn:
        return None
    horizon = max(1, max(c.deadline for c in drawn))
    first_work = sum(c.durations[0] for c in drawn if c.deadline >= 0)
    low = max(start, 0)  # known (or assumed) to miss
    guess = max(low + 1, math.ceil(first_work / horizon))
    guess = min(guess, limit)
    while late_with(drawn, m=guess, rules=rules) > unavoidable:
        low = guess
        if guess >= limit:
            return None
        guess = min(limit, guess * 2)
    high = guess
    while high - low > 1:
        middle = (low + high) // 2
        if late_with(drawn, m=middle, rules=rules) > unavoidable:
            low = middle
        else:
            high = middle
    return high


def forecast(
    open_callbacks,
    *,
    agents_on_duty,
    seed,
    rules=DEFAULT_RULES,
    handle_minutes=DEFAULT_HANDLE_MINUTES,
    mix=DEFAULT_MIX,
):
    """The alarm for these open callbacks and this many agents on duty."""
    open_callbacks = list(open_callbacks)
    n = len(open_callbacks)
    already_late = sum(1 for c in open_callbacks if c.due_in < 0)
    if not n:
        return Forecast(0, 0, agents_on_duty, 0, None, 0, handle_minutes)
    drawn = draw(
        open_callbacks, rng=random.Random(seed), rules=rules, handle_minutes=handle_minutes, mix=mix
    )
    if agents_on_duty:
        will_miss = late_with(drawn, m=agents_on_duty, rules=rules)
        bound = simulation.capacity_bound(drawn, m=agents_on_duty, retry_window=rules.retry_window)
        # A callback already late counts against the bound too: nobody can call it in time.
        bound = min(bound, n - already_late)
    else:
        will_miss, bound = n, 0
    needed = None
    if will_miss > already_late:
        needed = agents_needed(drawn, unavoidable=already_late, start=agents_on_duty, rules=rules)
    return Forecast(n, already_late, agents_on_duty, will_miss, needed, bound, handle_minutes)


def observed_handle_minutes(agent_attempt_times, *, minimum_samples=20, max_gap=timedelta(hours=1)):
    """Median minutes between an agent's consecutive attempts (a call plus its wrap-up), over
    gaps shorter than ``max_gap`` (longer ones are breaks). ``agent_attempt_times`` maps each
    agent to the times of their recent attempts. None when there are too few gaps to trust."""
    gaps = []
    for times in agent_attempt_times.values():
        ordered = sorted(times)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            gap = later - earlier
            if timedelta(0) < gap < max_gap:
                gaps.append(gap.total_seconds() / 60)
    if len(gaps) < minimum_samples:
        return None
    gaps.sort()
    middle = len(gaps) // 2
    return gaps[middle] if len(gaps) % 2 else (gaps[middle - 1] + gaps[middle]) / 2
