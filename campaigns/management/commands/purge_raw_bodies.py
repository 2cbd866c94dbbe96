"""manage.py purge_raw_bodies: purge raw bodies past the retention period once (the twin of the beat task)."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.services.retention import BATCH_SIZE, purge_raw_bodies, retention_cutoff


class Command(BaseCommand):
    help = (
        "Replace inbound messages older than RAW_RETENTION_DAYS by their headers (events and evidence kept) "
        "and cut raw ESP events to their short fields, in batches of short transactions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be purged; change nothing.")
        parser.add_argument("--days", type=int, help="Retention period in days (default: RAW_RETENTION_DAYS).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Rows per transaction.")

    def handle(self, *args, dry_run, days, batch_size, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        cutoff = retention_cutoff(days=days)
        result = purge_raw_bodies(days=days, batch_size=batch_size, dry_run=dry_run)
        verb, size = ("Would purge", "bytes stored, headers included") if dry_run else ("Purged", "bytes freed")
        self.stdout.write(
            f"{verb} {result.messages} inbound message bodies ({result.message_bytes} {size}) and "
            f"{result.esp_events} raw ESP events received before {cutoff:%Y-%m-%d %H:%M} UTC."
        )
