"""manage.py release_due_sends: release scheduled runs' due sends once (the twin of the beat task)."""

from django.core.management.base import BaseCommand

from campaigns.services.scheduling import release_due_sends


class Command(BaseCommand):
    help = "Hand the sends of scheduled runs whose time or send window has come to the workers, once."

    def handle(self, *args, **options):
        released = release_due_sends()
        self.stdout.write(f"Released {released} sends.")
