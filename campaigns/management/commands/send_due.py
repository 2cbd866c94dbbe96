"""manage.py send_due: send what is due now, in this process (the twin of the send_due_sends task)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from campaigns.services.delivery import send_chunk
from campaigns.services.sending import chunk_ranges, finish_run_if_complete, sending_run_ids


class Command(BaseCommand):
    help = (
        "Send, without Celery, the retries whose time has come and the sends of workers that died; "
        "with --run, every pending send of that run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--run", type=int, action="append", help="a run id (repeatable)")

    def handle(self, *args, **options):
        run_ids = options["run"] or sending_run_ids()
        for run_id in run_ids:
            ranges = chunk_ranges(run_id=run_id, chunk_size=settings.SEND_CHUNK_SIZE, due_only=not options["run"])
            for first_id, last_id in ranges:
                result = send_chunk(run_id=run_id, first_id=first_id, last_id=last_id)
                self.stdout.write(
                    f"Run {run_id}, sends {first_id}-{last_id}: {result.sent} sent, "
                    f"{result.bounced} bounced, {result.deferred} deferred, {result.expired} expired, "
                    f"{result.failed} failed, {result.skipped} skipped."
                )
            done = finish_run_if_complete(run_id=run_id)
            self.stdout.write(f"Run {run_id} is {'done' if done else 'still sending'}.")
