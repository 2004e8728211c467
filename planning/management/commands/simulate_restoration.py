"""How good is a distribution plan: simulate one restoration's callback work per strategy.

    python manage.py simulate_restoration --callbacks 10000 --agents 40 --seed 1

Every strategy works the same drawn callbacks (outcomes and handle times); the report gives the
share called within the target, the worst lateness, and the capacity bound (the most any plan
could call in time with that many agents). The rules are the configured ones (settings)."""

import json
import random
from datetime import time, timedelta

from django.core.management.base import BaseCommand, CommandError

from callbacks import conf
from planning import simulation
from schedule import policy as schedule


def _hours(value):
    """``HH:MM-HH:MM``: calling hours on the customers' clock."""
    try:
        opens, closes = (time.fromisoformat(part) for part in value.split("-"))
    except ValueError as exc:
        raise ValueError(value) from exc
    return opens, closes


def _share(value):
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError
    return number


class Command(BaseCommand):
    help = "Simulate a restoration's callbacks and compare the distribution strategies."

    def add_arguments(self, parser):
        parser.add_argument("--callbacks", type=int, default=10_000, help="Callbacks released.")
        parser.add_argument("--agents", type=int, default=40, help="Agents working them.")
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed (same seed, same run)."
        )
        parser.add_argument(
            "--handle-mean", type=float, default=12.0, help="Mean answered-call minutes."
        )
        parser.add_argument(
            "--handle-sigma", type=float, default=0.5, help="Lognormal sigma of answered calls."
        )
        parser.add_argument("--voicemail-minutes", type=float, default=3.0)
        parser.add_argument("--no-answer-minutes", type=float, default=2.0)
        parser.add_argument("--p-answered", type=_share, default=0.6)
        parser.add_argument("--p-voicemail", type=_share, default=0.25)
        parser.add_argument("--p-no-voicemail", type=_share, default=0.15)
        parser.add_argument(
            "--filed-later",
            type=_share,
            default=0.0,
            help="Share of callbacks filed after the restoration (released later).",
        )
        parser.add_argument(
            "--filed-over-hours",
            type=float,
            default=4.0,
            help="Those filed later arrive evenly at random over this many hours.",
        )
        parser.add_argument(
            "--calling-hours",
            type=_hours,
            default=None,
            help="Calls only between these times, HH:MM-HH:MM (default: any hour).",
        )
        parser.add_argument(
            "--restored-at",
            type=time.fromisoformat,
            default=time(14, 0),
            help="The customers' clock at the restoration, HH:MM (default 14:00).",
        )
        parser.add_argument(
            "--p-window",
            type=_share,
            default=0.0,
            help="Share of customers with a preferred window (morning, afternoon, after 17:00 "
            "or tomorrow morning, equally likely).",
        )
        parser.add_argument(
            "--strategies",
            default=",".join(simulation.DEFAULT_STRATEGIES),
            help=f"Comma-separated, from: {', '.join(simulation.STRATEGIES)}.",
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, **options):
        n = options["callbacks"]
        strategies = tuple(s.strip() for s in options["strategies"].split(",") if s.strip())
        offsets = None
        if options["filed_later"] and n > 0:
            # Its own stream, so the calls drawn for a seed do not change with this option.
            rng = random.Random(f"filed-later-{options['seed']}")
            spread = options["filed_over_hours"] * 3600
            offsets = tuple(
                timedelta(seconds=round(rng.uniform(0, spread)))
                if rng.random() < options["filed_later"]
                else timedelta(0)
                for _ in range(n)
            )
        windows = None
        if options["p_window"] and n > 0:
            # Its own stream too: the calls drawn for a seed stay the same.
            rng = random.Random(f"windows-{options['seed']}")
            windows = tuple(
                rng.choice(simulation.WINDOW_CHOICES)
                if rng.random() < options["p_window"]
                else schedule.ANY_TIME
                for _ in range(n)
            )
        try:
            report = simulation.run(
                n=n,
                m=options["agents"],
                seed=options["seed"],
                rules=conf.rules(),
                release_offsets=offsets,
                handle_mean_minutes=options["handle_mean"],
                handle_sigma=options["handle_sigma"],
                voicemail_minutes=options["voicemail_minutes"],
                no_answer_minutes=options["no_answer_minutes"],
                p_answered=options["p_answered"],
                p_voicemail=options["p_voicemail"],
                p_no_voicemail=options["p_no_voicemail"],
                strategies=strategies,
                calling_hours=options["calling_hours"],
                restored_at=options["restored_at"],
                windows=windows,
                window_grace=conf.window_grace(),
                min_calling=conf.min_calling_time(),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(report.format_table(), ending="")
