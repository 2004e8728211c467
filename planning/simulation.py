"""How good is a distribution plan: a restoration's callback work, simulated.

Pure and deterministic: standard library only, every random number comes from the
``random.Random`` it is given. ``run(...)`` is what ``python manage.py simulate_restoration``
reports.

The model
---------

Callbacks are released at an offset from the restoration (all at 0 by default; requests filed
after the restoration are released later) and their first attempt is due ``rules.target`` after
release. ``m`` agents work them; an attempt occupies its agent for its duration:

* answered: a handle time drawn from a lognormal distribution with the given mean and sigma
  (sigma of the underlying normal), in minutes;
* voicemail left: a fixed time; no voicemail: a fixed, shorter "no-answer" time.

Each callback's outcomes are drawn up front, attempt by attempt, until one is answered or a
voicemail is left, or ``rules.max_attempts`` attempts reached no voicemail (then it ends in a
letter). Every random number is drawn before any strategy runs, so all strategies work exactly
the same callbacks, outcomes and durations; outcomes do not depend on when a call is made.

Times are whole seconds internally; an attempt "happens" when its call is placed (its start).
A retry becomes available when the failed attempt ends, and is due ``rules.retry_window`` after
that attempt was placed (the policy's ``attempted_at + retry_window``, uncapped).

**Called in time**: a callback is called in time when every attempt it needed was placed by that
attempt's deadline: the first by release + target, each retry by the placing of the previous
attempt + retry window. ``lateness`` of a callback is how far its latest attempt was past its
deadline (zero when called in time).

Strategies (agents take work whenever they are free; the next free agent goes first, ties by
agent number; an agent with nothing available waits for the next release):

* ``edf``: one shared queue; a free agent takes the available attempt with the earliest
  deadline (ties: the one that joined the queue first). Retries join as soon as they are
  available, with their own deadline. This is the product's distribution order.
* ``round_robin``: callbacks are dealt to agents in turn, up front, in release order; each agent
  works their own list in order (the first one already released); a retry goes to the end of
  the same agent's list.
* ``fifo``: one shared queue in the order work joined it (filing order; a retry joins at the end
  when it becomes available); no deadline awareness.
* ``edf_in_time_first`` (not run by default): like ``edf``, but work whose deadline has already
  passed waits behind work that can still be in time. Pure ``edf`` keeps giving agents the
  overdue first attempts (the earliest deadlines) while retries that could still make their
  own window go late; this variant shows how many callbacks that costs, and at what price in
  worst lateness.

Calling hours and preferred windows (``Scenario.calling_hours``, ``Scenario.windows``)
--------------------------------------------------------------------------------------

The simulated clock starts at the restoration, ``restored_at`` on the customers' wall clock
(one zone, no daylight-saving change in a simulated restoration). Deadlines come from the
product's own rules (``schedule.plan_deadline``): a customer's window that opens after the target
moves the deadline to the window's start plus the grace (rescheduled at the customer's
request), and a deadline in closed hours is brought forward to the closing or moved to the next
opening. A callback is not taken before its window opens; an agent places no call outside
calling hours (a call started before closing may run past it); a retry's deadline goes through
the same closed-hours rule.

**Called within the target** (the 8-hour promise): the first attempt was placed within
``rules.target`` of the release, whatever calling hours did to the deadline; a callback
rescheduled at the customer's request counts when its first attempt was placed by its
rescheduled deadline (it is not a breach of the promise).
"""

import heapq
import math
import random
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta

from callbacks.policy import DEFAULT_RULES, Rules
from schedule import policy as schedule

EDF = "edf"
ROUND_ROBIN = "round_robin"
FIFO = "fifo"
EDF_IN_TIME_FIRST = "edf_in_time_first"

STRATEGIES = (EDF, ROUND_ROBIN, FIFO, EDF_IN_TIME_FIRST)
DEFAULT_STRATEGIES = (EDF, ROUND_ROBIN, FIFO)

STRATEGY_LABELS = {
    EDF: "Earliest deadline first",
    ROUND_ROBIN: "Round robin",
    FIFO: "First in, first out",
    EDF_IN_TIME_FIRST: "Earliest deadline first, overdue last",
}

# Bound windows: each window gives a valid bound, so a sample of them does too (see
# ``capacity_bound``); the caps keep the bound fast when every callback has its own release.
_MAX_WINDOW_ENDS = 48
_MAX_WINDOW_STARTS = 6


@dataclass(frozen=True)
class Scenario:
    """The parameters of one simulated restoration."""

    n: int
    m: int
    rules: Rules = DEFAULT_RULES
    handle_mean_minutes: float = 12.0
    handle_sigma: float = 0.5
    voicemail_minutes: float = 3.0
    no_answer_minutes: float = 2.0
    p_answered: float = 0.6
    p_voicemail: float = 0.25
    p_no_voicemail: float = 0.15
    release_offsets: tuple[timedelta, ...] | None = None
    # Calling hours on the customers' clock, ``(opens, closes)``; ``None``: calls at any hour.
    calling_hours: tuple[time, time] | None = None
    # The customers' clock at the restoration (matters with calling hours or windows).
    restored_at: time = time(14, 0)
    # One preferred window per callback (``schedule.WINDOW_LABELS`` keys; "any" for none).
    windows: tuple[str, ...] | None = None
    window_grace: timedelta = timedelta(hours=2)
    min_calling: timedelta = timedelta(hours=1)

    def __post_init__(self):
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 1:
            raise ValueError("Simulate at least one callback.")
        if isinstance(self.m, bool) or not isinstance(self.m, int) or self.m < 1:
            raise ValueError("Simulate at least one agent.")
        if self.handle_mean_minutes <= 0:
            raise ValueError("The mean handle time must be positive.")
        if self.handle_sigma < 0:
            raise ValueError("The handle-time sigma cannot be negative.")
        if self.voicemail_minutes <= 0 or self.no_answer_minutes <= 0:
            raise ValueError("Voicemail and no-answer times must be positive.")
        if timedelta(minutes=self.no_answer_minutes) > self.rules.retry_window:
            raise ValueError("A no-answer attempt cannot last longer than the retry window.")
        probabilities = (self.p_answered, self.p_voicemail, self.p_no_voicemail)
        if any(p < 0 for p in probabilities) or not math.isclose(sum(probabilities), 1.0):
            raise ValueError("Outcome probabilities must be 0 or more and add up to 1.")
        if self.release_offsets is not None:
            offsets = tuple(self.release_offsets)
            object.__setattr__(self, "release_offsets", offsets)
            if len(offsets) != self.n:
                raise ValueError("Give one release offset per callback.")
            if any(offset < timedelta(0) for offset in offsets):
                raise ValueError("Release offsets cannot be negative.")
        if self.calling_hours is not None:
            opens, closes = self.calling_hours
            schedule.CallingHours(opens=opens, closes=closes, zone=UTC)  # checks them
        if self.windows is not None:
            windows = tuple(self.windows)
            object.__setattr__(self, "windows", windows)
            if len(windows) != self.n:
                raise ValueError("Give one preferred window per callback.")
            if any(w == schedule.SLOT or w not in schedule.WINDOW_LABELS for w in windows):
                raise ValueError("Windows are daily windows, tomorrow morning, or any time.")


@dataclass(frozen=True)
class DrawnCallback:
    """One callback as drawn: release and first deadline (seconds from the restoration), the
    durations (seconds) of the attempts it needs, in order, and whether it ends in a letter."""

    release: int
    deadline: int
    durations: tuple[int, ...]
    letter: bool
    # Not taken before (the customer's window opens); ``None``: at release.
    available: int | None = None
    # The 8-hour promise (release + target); ``None``: the deadline.
    promise: int | None = None
    rescheduled: bool = False

    @property
    def work(self):
        return sum(self.durations)

    @property
    def opens(self):
        return self.release if self.available is None else self.available

    @property
    def promised_by(self):
        return self.deadline if self.promise is None else self.promise


ANY_HOUR = (time.min, time.max)
# The windows a simulated customer may ask for (a specific slot is not simulated).
WINDOW_CHOICES = (schedule.MORNING, schedule.AFTERNOON, schedule.EVENING, schedule.TOMORROW_MORNING)
_DAY = 86_400


class SimClock:
    """The customers' wall clock for a simulated restoration: simulated seconds from the
    restoration to real instants, so the product's own rules (``policy``) decide."""

    def __init__(self, *, restored_at, calling_hours, min_calling):
        opens, closes = calling_hours or ANY_HOUR
        self.any_hour = calling_hours is None
        self.hours = schedule.CallingHours(opens=opens, closes=closes, zone=UTC)
        self.base = datetime.combine(datetime(2026, 5, 4).date(), restored_at, tzinfo=UTC)
        self.min_calling = min_calling
        self._opens = opens.hour * 3600 + opens.minute * 60 + opens.second
        self._closes = closes.hour * 3600 + closes.minute * 60 + closes.second
        self._offset = restored_at.hour * 3600 + restored_at.minute * 60 + restored_at.second

    @classmethod
    def of(cls, scenario):
        return cls(
            restored_at=scenario.restored_at,
            calling_hours=scenario.calling_hours,
            min_calling=scenario.min_calling,
        )

    def at(self, seconds):
        return self.base + timedelta(seconds=seconds)

    def seconds(self, moment):
        return round((moment - self.base).total_seconds())

    def in_hours(self, seconds):
        if self.any_hour:
            return True
        return self._opens <= (self._offset + seconds) % _DAY < self._closes

    def next_open(self, seconds):
        if self.in_hours(seconds):
            return seconds
        return self.seconds(schedule.next_opening(self.at(seconds), hours=self.hours))

    def retry_due(self, placed, window):
        due = placed + window
        if self.any_hour:
            return due
        moved, _ = schedule.deadline_in_calling_hours(
            due_at=self.at(due),
            released_at=self.at(placed),
            hours=self.hours,
            min_calling=self.min_calling,
        )
        return self.seconds(moved)


def _seconds(duration):
    return round(duration.total_seconds())


def draw_callbacks(scenario, rng):
    """Draw every callback's outcomes and durations up front, in callback order. For each
    possible attempt one outcome and one handle time are drawn, used or not, so the stream of
    random numbers does not depend on the outcomes."""
    target = _seconds(scenario.rules.target)
    mu = math.log(scenario.handle_mean_minutes) - scenario.handle_sigma**2 / 2
    voicemail = max(1, round(scenario.voicemail_minutes * 60))
    no_answer = max(1, round(scenario.no_answer_minutes * 60))
    answered_below = scenario.p_answered
    voicemail_below = scenario.p_answered + scenario.p_voicemail
    offsets = scenario.release_offsets or (timedelta(0),) * scenario.n
    windows = scenario.windows or (schedule.ANY_TIME,) * scenario.n
    clock = SimClock.of(scenario)
    plain = scenario.calling_hours is None and scenario.windows is None
    callbacks = []
    for offset, choice in zip(offsets, windows, strict=True):
        release = _seconds(offset)
        durations = []
        letter = True
        for _ in range(scenario.rules.max_attempts):
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
        if plain:
            callbacks.append(DrawnCallback(release, release + target, tuple(durations), letter))
            continue
        released_at = clock.at(release)
        window = schedule.window_bounds(
            choice=choice, filed_at=released_at, due_from=released_at, hours=clock.hours
        )
        plan = schedule.plan_deadline(
            target_due=clock.at(release + target),
            released_at=released_at,
            window=window,
            hours=clock.hours,
            grace=scenario.window_grace,
            min_calling=scenario.min_calling,
        )
        opens = max(release, clock.seconds(window.start)) if window.start else release
        callbacks.append(
            DrawnCallback(
                release,
                clock.seconds(plan.due_at),
                tuple(durations),
                letter,
                available=opens,
                promise=release + target,
                rescheduled=plan.rescheduled,
            )
        )
    return tuple(callbacks)


@dataclass(frozen=True)
class StrategyResult:
    """How one strategy did. Shares are fractions of all callbacks (0 to 1); ``mean_lateness``
    averages over all callbacks, those called in time counting zero; ``makespan`` runs from the
    restoration to the end of the last attempt."""

    strategy: str
    callbacks: int
    in_time: int
    called_in_time: float
    first_attempt_in_time: int
    first_attempt_in_time_share: float
    worst_lateness: timedelta
    mean_lateness: timedelta
    letters: int
    attempts: int
    makespan: timedelta
    within_target: int = 0
    within_target_share: float = 0.0
    rescheduled: int = 0

    def as_dict(self):
        data = asdict(self)
        for name in ("worst_lateness", "mean_lateness", "makespan"):
            data[f"{name}_seconds"] = data.pop(name).total_seconds()
        return data


def simulate(callbacks, *, m, strategy, retry_window, clock=None):
    """Run one strategy over the drawn callbacks with ``m`` agents: a discrete-event simulation
    with a heap of agent-free times. ``clock`` (a ``SimClock``): calling hours apply to
    placing calls and to retry deadlines; ``None``: calls at any hour."""
    _check_run(strategy=strategy, m=m)
    window = _seconds(retry_window)
    n = len(callbacks)
    per_agent = strategy == ROUND_ROBIN
    by_deadline = strategy in (EDF, EDF_IN_TIME_FIRST)
    overdue_last = strategy == EDF_IN_TIME_FIRST

    queues = m if per_agent else 1
    pending = _pending_by_queue(callbacks, queues=queues)
    # ready[q]: released work, (key..., callback, attempt, deadline) with the strategy's key
    ready = [[] for _ in range(queues)]
    overdue = [[] for _ in range(queues)]  # edf_in_time_first only

    lateness = [0] * n
    first_in_time = 0
    within_target = 0
    attempts = 0
    makespan = 0
    next_seq = n
    agents = [(0, agent) for agent in range(m)]
    while agents:
        now, agent = heapq.heappop(agents)
        if clock is not None and not clock.in_hours(now):
            heapq.heappush(agents, (clock.next_open(now), agent))
            continue
        q = agent if per_agent else 0
        waiting, available = pending[q], ready[q]
        _release_due(waiting, available, now=now, by_deadline=by_deadline, per_agent=per_agent)
        source = _source(available, overdue[q], now=now, overdue_last=overdue_last)
        if not source:
            if waiting:
                heapq.heappush(agents, (waiting[0][0], agent))
            continue  # nothing is left that this agent could ever take: off shift
        _, i, attempt, deadline = heapq.heappop(source)
        callback = callbacks[i]
        end = now + callback.durations[attempt]
        attempts += 1
        makespan = max(makespan, end)
        if now > deadline:
            lateness[i] = max(lateness[i], now - deadline)
        elif attempt == 0:
            first_in_time += 1
        if attempt == 0 and now <= (deadline if callback.rescheduled else callback.promised_by):
            within_target += 1
        if attempt + 1 < len(callback.durations):
            retry_due = now + window if clock is None else clock.retry_due(now, window)
            heapq.heappush(waiting, (end, next_seq, i, attempt + 1, retry_due))
            next_seq += 1
        heapq.heappush(agents, (end, agent))

    return _strategy_result(
        strategy, callbacks, lateness, first_in_time, attempts, makespan, within_target
    )


def _check_run(*, strategy, m):
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown strategy {strategy!r}; choose from {', '.join(STRATEGIES)}.")
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise ValueError("Simulate at least one agent.")


def _pending_by_queue(callbacks, *, queues):
    """pending[q]: work not released yet, as heaps of (release, seq, callback, attempt,
    deadline); with several queues (round robin) the callbacks are dealt in release order."""
    pending = [[] for _ in range(queues)]
    order = sorted(range(len(callbacks)), key=lambda i: (callbacks[i].opens, i))
    for seq, i in enumerate(order):
        callback = callbacks[i]
        pending[seq % queues].append((callback.opens, seq, i, 0, callback.deadline))
    for heap in pending:
        heapq.heapify(heap)
    return pending


def _release_due(waiting, available, *, now, by_deadline, per_agent):
    """Move the work released by ``now`` from ``waiting`` to ``available``, keyed by the
    strategy's order."""
    while waiting and waiting[0][0] <= now:
        release, seq, i, attempt, deadline = heapq.heappop(waiting)
        if by_deadline:
            key = (deadline, release, seq)
        elif per_agent:
            key = (attempt > 0, seq)  # the dealt list, retries at its end
        else:
            key = (release, seq)
        heapq.heappush(available, (key, i, attempt, deadline))


def _source(available, overdue, *, now, overdue_last):
    """The heap the agent takes from: released work in time first when overdue work goes
    last (``edf_in_time_first``), otherwise all released work."""
    if overdue_last:
        while available and available[0][0][0] < now:
            heapq.heappush(overdue, heapq.heappop(available))
    return available or (overdue if overdue_last else None)


def _strategy_result(
    strategy, callbacks, lateness, first_in_time, attempts, makespan, within_target
):
    n = len(callbacks)
    in_time = lateness.count(0)
    return StrategyResult(
        strategy=strategy,
        callbacks=n,
        in_time=in_time,
        called_in_time=in_time / n if n else 1.0,
        first_attempt_in_time=first_in_time,
        first_attempt_in_time_share=first_in_time / n if n else 1.0,
        worst_lateness=timedelta(seconds=max(lateness, default=0)),
        mean_lateness=timedelta(seconds=sum(lateness) / n if n else 0),
        letters=sum(callback.letter for callback in callbacks),
        attempts=attempts,
        makespan=timedelta(seconds=makespan),
        within_target=within_target,
        within_target_share=within_target / n if n else 1.0,
        rescheduled=sum(callback.rescheduled for callback in callbacks),
    )


def _spread(values, limit):
    """At most ``limit`` of the sorted ``values``, evenly spread, always with the first and last."""
    if len(values) <= limit:
        return values
    step = (len(values) - 1) / (limit - 1)
    return sorted({values[round(k * step)] for k in range(limit)})


def capacity_bound(callbacks, *, m, retry_window):
    """An upper bound on how many callbacks any plan at all could call in time with ``m`` agents,
    on these drawn callbacks (knowing every outcome and duration in advance).

    Derivation. Attempt k (from 0) of callback c must be placed by ``L(c, k) = deadline(c) +
    k * retry_window`` at the latest, because each retry is due ``retry_window`` after the
    previous attempt, itself placed by its own latest time. Take a window ``[u, t]`` and the
    callbacks C released at ``u`` or later whose first deadline is at most ``t``; for such a
    callback let ``w(c)`` be the work of its attempts with ``L(c, k) <= t``. In any schedule,
    an in-time callback of C has all those attempts placed within ``[u, t]``. On each agent,
    every attempt placed in the window except the last one also ends within it, so, setting
    aside the at most ``m`` callbacks that own an agent's last attempt, the others' ``w`` fit in
    the ``m * (t - u)`` agent-seconds of the window. So at most ``m`` + (how many of the
    smallest ``w`` add up to no more than ``m * (t - u)``) callbacks of C are in time, and the
    callbacks outside C at most all are. Every window gives a bound; this returns the least
    over windows ending at the latest times ``L`` (where the bound can change) and starting at
    releases (a spread sample of them when there are very many: fewer windows only loosen it).

    With equal deadlines the windows are ``[0, target]`` (first attempts only: a plan may leave
    retries until after the target, since their window is not capped), ``[0, target +
    retry_window]`` (first and second attempts), and so on up to the last allowed attempt.
    The bound lets the short calls go first, which no real plan can know before dialling, so
    under heavy load it is well above what any strategy reaches. It is exact when every call
    takes the same time and the target is a whole number of calls, and it is ``n`` whenever
    the load does not rule anybody out (see the tests)."""
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise ValueError("Simulate at least one agent.")
    n = len(callbacks)
    if not n:
        return 0
    window = _seconds(retry_window)
    ends = sorted({c.deadline + k * window for c in callbacks for k in range(len(c.durations))})
    starts = sorted({c.release for c in callbacks})
    best = n
    for u in _spread(starts, _MAX_WINDOW_STARTS):
        for t in _spread(ends, _MAX_WINDOW_ENDS):
            if t <= u:
                continue
            forced = []
            for c in callbacks:
                if c.release >= u and c.deadline <= t:
                    forced.append(
                        sum(d for k, d in enumerate(c.durations) if c.deadline + k * window <= t)
                    )
            if len(forced) <= m:
                continue
            forced.sort()
            room = m * (t - u)
            fitting = 0
            for work in forced:
                if work > room:
                    break
                room -= work
                fitting += 1
            best = min(best, n - len(forced) + min(len(forced), m + fitting))
    return best


@dataclass(frozen=True)
class Report:
    scenario: Scenario
    seed: int
    capacity_bound: int
    total_work: timedelta
    results: tuple[StrategyResult, ...] = field(default_factory=tuple)

    def result(self, strategy):
        for result in self.results:
            if result.strategy == strategy:
                return result
        raise KeyError(strategy)

    def as_dict(self):
        s = self.scenario
        return {
            "scenario": {
                "callbacks": s.n,
                "agents": s.m,
                "seed": self.seed,
                "target_seconds": s.rules.target.total_seconds(),
                "retry_window_seconds": s.rules.retry_window.total_seconds(),
                "max_attempts": s.rules.max_attempts,
                "handle_mean_minutes": s.handle_mean_minutes,
                "handle_sigma": s.handle_sigma,
                "voicemail_minutes": s.voicemail_minutes,
                "no_answer_minutes": s.no_answer_minutes,
                "p_answered": s.p_answered,
                "p_voicemail": s.p_voicemail,
                "p_no_voicemail": s.p_no_voicemail,
                "released_later": sum(1 for o in s.release_offsets or () if o > timedelta(0)),
                "calling_hours": [f"{t:%H:%M}" for t in s.calling_hours]
                if s.calling_hours
                else None,
                "restored_at": f"{s.restored_at:%H:%M}",
                "with_window": sum(1 for w in s.windows or () if w != schedule.ANY_TIME),
            },
            "capacity_bound": self.capacity_bound,
            "total_work_seconds": self.total_work.total_seconds(),
            "results": [result.as_dict() for result in self.results],
        }

    def format_table(self):
        s = self.scenario
        rules = s.rules
        later = sum(1 for o in s.release_offsets or () if o > timedelta(0))
        available = s.m * rules.target
        lines = [
            f"Restoration: {s.n:,} callbacks"
            + (f" ({later:,} released later)" if later else "")
            + f", {s.m:,} agents, seed {self.seed}",
            f"Rules: first call within {_clock(rules.target)}, retry within "
            f"{_clock(rules.retry_window)}, at most {rules.max_attempts} attempts",
            f"Calls: answered {s.p_answered:.0%} (mean {s.handle_mean_minutes:g} min, "
            f"sigma {s.handle_sigma:g}), voicemail {s.p_voicemail:.0%} "
            f"({s.voicemail_minutes:g} min), no voicemail {s.p_no_voicemail:.0%} "
            f"({s.no_answer_minutes:g} min)",
            f"Work: {_hours(self.total_work)} agent-hours needed; "
            f"{_hours(available)} agent-hours available before the target",
            f"Capacity bound: no plan can call more than {self.capacity_bound:,} of {s.n:,} "
            f"({self.capacity_bound / s.n:.1%}) in time",
        ]
        if s.calling_hours or s.windows:
            hours = (
                f"{s.calling_hours[0]:%H:%M}-{s.calling_hours[1]:%H:%M}"
                if s.calling_hours
                else "any hour"
            )
            windowed = sum(1 for w in s.windows or () if w != schedule.ANY_TIME)
            lines.append(
                f"Calling hours: {hours}; restored at {s.restored_at:%H:%M}; "
                f"{windowed:,} with a preferred window"
            )
        lines.append("")
        lines += self._results_table()
        return "\n".join(lines) + "\n"

    def _results_table(self):
        """One aligned row per strategy under a header: the strategy left, the figures right."""
        rules = self.scenario.rules
        header = (
            "strategy",
            "called in time",
            "first attempt in time",
            "worst late",
            "mean late",
            "letters",
            "makespan",
            f"within {_clock(rules.target)}",
        )
        rows = [
            (
                r.strategy,
                f"{r.called_in_time:.1%} ({r.in_time:,})",
                f"{r.first_attempt_in_time_share:.1%} ({r.first_attempt_in_time:,})",
                _clock(r.worst_lateness),
                _clock(r.mean_lateness),
                f"{r.letters:,}",
                _clock(r.makespan),
                f"{r.within_target_share:.1%}",
            )
            for r in self.results
        ]
        widths = [max(len(row[k]) for row in (header, *rows)) for k in range(len(header))]
        lines = []
        for row in (header, *rows):
            cells = [row[0].ljust(widths[0])]
            cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
            lines.append("  ".join(cells).rstrip())
        return lines


def _clock(duration):
    """H:MM:SS, hours not wrapping at a day."""
    seconds = round(duration.total_seconds())
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def _hours(duration):
    return f"{duration.total_seconds() / 3600:,.1f}"


def run(
    *,
    n,
    m,
    seed,
    rules=DEFAULT_RULES,
    release_offsets=None,
    handle_mean_minutes=12.0,
    handle_sigma=0.5,
    voicemail_minutes=3.0,
    no_answer_minutes=2.0,
    p_answered=0.6,
    p_voicemail=0.25,
    p_no_voicemail=0.15,
    strategies=DEFAULT_STRATEGIES,
    calling_hours=None,
    restored_at=time(14, 0),
    windows=None,
    window_grace=timedelta(hours=2),
    min_calling=timedelta(hours=1),
):
    """Draw one restoration's callbacks from ``seed`` and run each strategy on the same data."""
    for strategy in strategies:
        if strategy not in STRATEGIES:
            raise ValueError(f"Unknown strategy {strategy!r}; choose from {', '.join(STRATEGIES)}.")
    scenario = Scenario(
        n=n,
        m=m,
        rules=rules,
        handle_mean_minutes=handle_mean_minutes,
        handle_sigma=handle_sigma,
        voicemail_minutes=voicemail_minutes,
        no_answer_minutes=no_answer_minutes,
        p_answered=p_answered,
        p_voicemail=p_voicemail,
        p_no_voicemail=p_no_voicemail,
        release_offsets=release_offsets,
        calling_hours=calling_hours,
        restored_at=restored_at,
        windows=windows,
        window_grace=window_grace,
        min_calling=min_calling,
    )
    callbacks = draw_callbacks(scenario, random.Random(seed))
    clock = SimClock.of(scenario) if calling_hours else None
    return Report(
        scenario=scenario,
        seed=seed,
        capacity_bound=capacity_bound(callbacks, m=m, retry_window=rules.retry_window),
        total_work=timedelta(seconds=sum(c.work for c in callbacks)),
        results=tuple(
            simulate(
                callbacks, m=m, strategy=strategy, retry_window=rules.retry_window, clock=clock
            )
            for strategy in strategies
        ),
    )
