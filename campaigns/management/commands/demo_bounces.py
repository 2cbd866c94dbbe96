"""manage.py demo_bounces: drop generated bounces for the demo's sends into a Maildir and ingest them.

Run by ``make demo`` after ``seed_demo``. The messages come from the project's
own generator (campaigns/bounce_generator.py: Postfix DSNs, Exim text bounces,
Exchange NDRs, auto-replies, ARF complaints, delayed and delivered DSNs, human
replies), written for the latest run's sends, plus a bounce whose token was
lost in forwarding (matched by address, unverified) and one for an address we
never sent to (kept, unmatched). Idempotent: once the mailbox has messages, a
second run only polls (and a message written twice would be known by its digest).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaigns import bounce_generator as gen
from campaigns.models import BounceMailbox, CampaignRun, MailboxProtocol, Send, SendStatus
from campaigns.services.ingestion import poll_mailbox_once
from contacts.models import Organization

DEMO_ORG_SLUG = "acme"
MAILBOX_NAME = "Demo bounces (local Maildir)"


class Command(BaseCommand):
    help = "Write generated bounces for the demo organization's latest run into DEMO_MAILDIR and poll it."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=80, help="How many sends get a reply (default 80).")

    def handle(self, *args, count=80, **options):
        organization = Organization.objects.filter(slug=DEMO_ORG_SLUG).first()
        if organization is None:
            raise CommandError("The demo organization does not exist: run manage.py seed_demo first.")
        root = settings.DEMO_MAILDIR
        for sub in ("cur", "new", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        mailbox, _ = BounceMailbox.objects.get_or_create(
            organization=organization,
            name=MAILBOX_NAME,
            defaults={"protocol": MailboxProtocol.MAILDIR, "folder": str(root), "poll_interval_seconds": 60},
        )
        # Once the mailbox has been polled, the demo's bounces are in; later runs only poll.
        written = 0 if mailbox.inbound_messages.exists() else write_demo_bounces(organization, root, count)
        result = poll_mailbox_once(mailbox=mailbox)
        self.stdout.write(f"Wrote {written} generated bounces to {root}; {result.summary()}.")


def write_demo_bounces(organization, root, count: int) -> int:
    """Write the messages into ``root``/new the way an MTA delivers (tmp/, then rename); return how many."""
    run = CampaignRun.objects.filter(organization=organization).order_by("-created_at", "-id").first()
    if run is None:
        return 0
    sends = list(
        Send.objects.filter(run=run, status__in=(SendStatus.SENT, SendStatus.DELIVERED))
        .select_related("run__campaign")
        .order_by("pk")[:count]
    )
    originals = [
        gen.Original(
            token=s.token,
            email=s.email,
            bounce_domain=settings.BOUNCE_DOMAIN,
            from_email=s.run.campaign.from_email,
            subject=s.run.campaign.subject,
            sent_at=s.sent_at,
        )
        for s in sends
    ]
    messages = [raw for _kind, raw in gen.generate(originals, seed=7)]
    if originals:
        messages.append(
            gen.postfix_dsn(originals[-1], verp=False).replace(originals[-1].token.encode(), b"lost-in-forwarding")
        )
    stranger = gen.Original(
        token="NotOneOfOursNotOneOfOurs", email="someone@unknown.example", bounce_domain=settings.BOUNCE_DOMAIN
    )
    messages.append(gen.postfix_dsn(stranger))
    for index, raw in enumerate(messages):
        name = f"1700000000.demo{index:05d}.bounceportal"
        if not any((root / sub / name).exists() for sub in ("new", "cur")):
            (root / "tmp" / name).write_bytes(raw)
            (root / "tmp" / name).rename(root / "new" / name)
    return len(messages)
