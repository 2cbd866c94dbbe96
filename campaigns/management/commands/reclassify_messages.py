"""manage.py reclassify_messages: re-classify stored inbound messages without Celery (the twin of
the admin action and of campaigns.tasks.reclassify_inbound_messages)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import InboundMessage
from campaigns.services.ingestion import reclassify_messages


class Command(BaseCommand):
    help = (
        "Re-run the classifier on stored inbound messages (the ids given, or --all of them) and replace "
        "their events where the verdict changed. --by names the support user on every clearance it makes."
    )

    def add_arguments(self, parser):
        parser.add_argument("message_ids", nargs="*", type=int, metavar="ID")
        parser.add_argument("--all", action="store_true", help="Every stored message (of --organization).")
        parser.add_argument("--organization", metavar="SLUG", help="Only this organization's messages.")
        parser.add_argument("--by", required=True, metavar="USERNAME", help="The support user who asks.")

    def handle(self, *args, message_ids=(), all=False, organization=None, by="", **options):
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"No user named {by!r}: --by names the support user who re-classifies.")
        if bool(message_ids) == all:
            raise CommandError("Give message ids or --all (not both).")
        messages = InboundMessage.objects.all()
        if message_ids:
            messages = messages.filter(pk__in=message_ids)
        if organization:
            messages = messages.filter(organization__slug=organization)
        count = reclassify_messages(messages=messages, reclassified_by=user)
        self.stdout.write(f"Re-classified {count} message(s) on behalf of {user.username}.")
