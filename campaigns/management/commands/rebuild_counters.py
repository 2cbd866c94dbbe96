"""manage.py rebuild_counters: recount the runs' and organizations' summary counters from the source rows."""

import time

from django.core.management.base import BaseCommand

from campaigns.counters import rebuild_counters


class Command(BaseCommand):
    help = (
        "Recount every summary counter (sends by status, bounces by category, blocks, the dashboards' days) "
        "from the sends and bounce events, and the organizations' learners by status. Writers wait while it runs; readers do not."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        runs, days = rebuild_counters()
        self.stdout.write(
            f"Rebuilt {runs} run counters and {days} day counters in {time.perf_counter() - started:.1f} s."
        )
