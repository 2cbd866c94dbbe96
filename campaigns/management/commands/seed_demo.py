"""manage.py seed_demo: deterministic, idempotent demo data for the portal and the admin."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from campaigns.demo_data import CAMPAIGNS, DEPARTMENTS, FIRST_NAMES, LAST_NAMES, SAMPLE_BOUNCES
from campaigns.models import BounceEvent, Campaign, CampaignRun, EventSource, MatchedBy, RunStatus, Send, SendStatus
from campaigns.services.policy import apply_bounce_event, record_delivery, record_open
from contacts.choices import ClearedVia, MemberRole
from contacts.deliverability import clear_bounce_status
from contacts.models import Learner, Membership, Organization
from contacts.services import create_organization

DEMO_PASSWORD = "bounceportal-demo"
DEMO_ORGS = [("Acme Training", "acme", 1400), ("Globex Learning", "globex", 700)]
DOMAINS = ["acme-mail.example", "school.example", "corp.example", "mailhost.example", "filtered.example"]


class Command(BaseCommand):
    help = "Create the demo organizations, users, learners, campaigns, sends and bounces (idempotent)."

    def handle(self, *args, **options):
        for name, slug, learner_count in DEMO_ORGS:
            organization = Organization.objects.filter(slug=slug).first()
            if organization is None:
                with transaction.atomic():
                    organization = create_organization(name=name, slug=slug)
                    # The demo sends to a local sink: no need to pace it like a real relay.
                    Organization.objects.filter(pk=organization.pk).update(send_rate_per_second=1000)
                    seed_organization(organization, learner_count, random.Random(slug))
                self.stdout.write(f"Seeded {name}.")
            ensure_user(f"{slug}-admin", organization, MemberRole.ADMIN)
            ensure_user(f"{slug}-viewer", organization, MemberRole.VIEWER)
        ensure_support_user()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready. Portal: acme-admin / {DEMO_PASSWORD}   Admin (support staff): support / {DEMO_PASSWORD}"
            )
        )


def ensure_user(username, organization, role):
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@demo.example"})
    user.set_password(DEMO_PASSWORD)
    user.save()
    Membership.objects.update_or_create(user=user, defaults={"organization": organization, "role": role})


def ensure_support_user():
    user, _ = get_user_model().objects.get_or_create(username="support", defaults={"email": "support@demo.example"})
    user.is_staff = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    group = Group.objects.filter(name="Customer experience").first()
    if group:
        user.groups.add(group)
    else:  # before the CX group exists, support staff are superusers
        user.is_superuser = True
        user.save()


def seed_organization(organization, learner_count, rng):
    now = timezone.now()
    learners = Learner.objects.bulk_create(
        [
            Learner(
                organization=organization,
                email=f"{FIRST_NAMES[i % 20].lower()}.{LAST_NAMES[(i // 20) % 20].lower().replace(' ', '')}{i}"
                f"@{DOMAINS[i % len(DOMAINS)]}",
                first_name=FIRST_NAMES[i % 20],
                last_name=LAST_NAMES[(i // 20) % 20],
                department=DEPARTMENTS[i % len(DEPARTMENTS)],
                created_at=now - timedelta(days=200 - i % 100),
                last_engaged_at=now - timedelta(days=rng.randint(1, 200)) if rng.random() < 0.6 else None,
            )
            for i in range(learner_count)
        ]
    )
    for index, (name, subject) in enumerate(CAMPAIGNS):
        campaign = Campaign.objects.create(
            organization=organization,
            name=name,
            subject=subject,
            from_name="Training Team",
            from_email=f"training@{organization.slug}.example",
            created_at=now - timedelta(days=60 - index * 12),
            body_text=f"Hello,\n\n{subject}.\n\nThe Training Team",
            body_html=f"<p>Hello,</p><p>{subject}.</p><p>The Training Team</p>",
        )
        seed_run(campaign, learners, rng, started=campaign.created_at + timedelta(days=1))
    seed_clearances(organization, rng)


def seed_run(campaign, learners, rng, started):
    run = CampaignRun.objects.create(
        organization=campaign.organization,
        campaign=campaign,
        status=RunStatus.DONE,
        created_at=started,
        started_at=started,
        finished_at=started + timedelta(hours=2),
    )
    sends = Send.objects.bulk_create(
        [
            Send(
                organization=campaign.organization,
                run=run,
                learner=learner,
                email=learner.email,
                domain=learner.email.rpartition("@")[2],
                status=SendStatus.SENT,
                sent_at=started,
                created_at=started,
                status_changed_at=started,
            )
            for learner in learners
            if rng.random() < 0.8
        ]
    )
    for send in sends:
        roll = rng.random()
        if roll < 0.10:
            seed_bounce(send, rng, started)
        elif roll < 0.40:
            record_open(send=send, now=started + timedelta(hours=rng.randint(1, 48)))
        elif roll < 0.70:
            record_delivery(send=send, now=started + timedelta(minutes=5))
        elif roll < 0.73:
            Send.objects.filter(pk=send.pk).update(status=SendStatus.DEFERRED, last_reply="451 4.7.1 Try again later")
        elif roll < 0.74:
            Send.objects.filter(pk=send.pk).update(status=SendStatus.FAILED, last_reply="Connection refused")
        elif roll < 0.75:
            Send.objects.filter(pk=send.pk).update(status=SendStatus.SCHEDULED, sent_at=None)
    left_out = Learner.objects.filter(organization=campaign.organization).exclude(status="active")[:40]
    Send.objects.bulk_create(
        [
            Send(
                organization=campaign.organization,
                run=run,
                learner=learner,
                email=learner.email,
                domain=learner.email.rpartition("@")[2],
                status=SendStatus.SKIPPED,
                skip_reason=learner.status,
            )
            for learner in left_out
            if not Send.objects.filter(run=run, learner=learner).exists()
        ]
    )
    run.left_out = {
        "bounced": sum(1 for x in left_out if x.status == "bounced"),
        "unsubscribed": sum(1 for x in left_out if x.status == "unsubscribed"),
    }
    run.save(update_fields=["left_out"])


def seed_bounce(send, rng, started):
    # The "filtered.example" domain has a strict security appliance: the allowlisting alert's case.
    if send.domain == "filtered.example" and rng.random() < 0.8:
        sample = next(s for s in SAMPLE_BOUNCES if s[1] == "spam_detected")
    else:
        sample = SAMPLE_BOUNCES[rng.randrange(len(SAMPLE_BOUNCES))]
    category, subtype, reason, status, reply_code, mta, diagnostic = sample
    domain = send.domain
    event = BounceEvent.objects.create(
        organization=send.organization,
        send=send,
        learner=send.learner,
        source=EventSource.MAILBOX,
        address=send.email,
        action="failed" if status else "",
        status=status,
        reply_code=reply_code,
        reason=reason,
        category=category,
        subtype=subtype,
        hard=category == "hard",
        diagnostic=diagnostic.format(address=send.email, domain=domain),
        remote_mta=mta.format(domain=domain),
        feedback_type="abuse" if category == "complaint" else "",
        matched_by=MatchedBy.ADDRESS if rng.random() < 0.1 else MatchedBy.VERP,
        occurred_at=started + timedelta(minutes=rng.randint(1, 600)),
    )
    apply_bounce_event(event=event, now=event.occurred_at)


def seed_clearances(organization, rng):
    bounced = list(Learner.objects.filter(organization=organization, status="bounced").order_by("pk")[:12])
    admin = None
    for learner in bounced[::3]:
        clear_bounce_status(
            learner=learner, cleared_by=admin, via=ClearedVia.PORTAL, note="Confirmed with the learner's IT team"
        )
