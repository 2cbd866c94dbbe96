"""manage.py poll_bounces: poll bounce mailboxes once, without Celery (cron, the demo, debugging)."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.mailboxes import MailboxError
from campaigns.models import BounceMailbox
from campaigns.services.ingestion import poll_mailbox_once


class Command(BaseCommand):
    help = (
        "Poll every enabled bounce mailbox (or the one given) once: store, classify, match and apply "
        "the policy, then mark the messages processed. --dry-run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--mailbox",
            type=int,
            action="append",
            dest="mailboxes",
            metavar="ID",
            help="Poll only this mailbox (even if disabled); may be repeated.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Fetch, classify and match, report what would happen, store and mark nothing.",
        )

    def handle(self, *args, mailboxes=None, dry_run=False, **options):
        if mailboxes:
            selected = list(BounceMailbox.objects.filter(pk__in=mailboxes).order_by("pk"))
            missing = set(mailboxes) - {m.pk for m in selected}
            if missing:
                raise CommandError(f"No mailbox with id {', '.join(map(str, sorted(missing)))}.")
        else:
            selected = list(BounceMailbox.objects.filter(enabled=True).order_by("pk"))
        failed = []
        for mailbox in selected:
            try:
                result = poll_mailbox_once(mailbox=mailbox, dry_run=dry_run)
            except MailboxError as exc:
                failed.append(mailbox.pk)
                self.stderr.write(f"Mailbox {mailbox.pk} ({mailbox.name}): {exc}")
                continue
            prefix = "[dry run] " if dry_run else ""
            self.stdout.write(f"{prefix}Mailbox {mailbox.pk} ({mailbox.name}): {result.summary()}")
        if failed:
            raise CommandError(f"{len(failed)} mailbox(es) could not be polled: {', '.join(map(str, failed))}.")
