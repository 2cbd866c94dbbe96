"""manage.py release_suppressions: release expired soft suppressions once, without Celery (the twin of
the beat task contacts.release_expired_suppressions)."""

from django.core.management.base import BaseCommand

from contacts.deliverability import release_expired_suppressions


class Command(BaseCommand):
    help = "Make learners whose soft suppression has expired sendable again (audited, via=expiry)."

    def handle(self, *args, **options):
        released = release_expired_suppressions()
        self.stdout.write(f"Released {released} learner(s) whose soft suppression expired.")
