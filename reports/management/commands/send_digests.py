"""manage.py send_digests: mail the digests that are due once (the twin of the beat task)."""

from django.core.management.base import BaseCommand

from reports.digest import send_due_digests


class Command(BaseCommand):
    help = "Mail every admin's digest email whose day or week is over and was not mailed yet."

    def handle(self, *args, **options):
        sent = send_due_digests()
        self.stdout.write(f"Sent {sent} digest email{'s' if sent != 1 else ''}.")
