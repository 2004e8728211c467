from django.core.management.base import BaseCommand
from django.utils import timezone

from reports import services


class Command(BaseCommand):
    help = "Rebuild every summary row the analytics page reads (outages, agent days, hours)."

    def handle(self, *args, **options):
        counts = services.summaries_refresh(now=timezone.now(), full=True)
        self.stdout.write(
            f"{counts['outages']:,} outage summaries, {counts['agent_days']:,} agent-days, "
            f"{counts['hours']:,} hours of lookups"
        )
