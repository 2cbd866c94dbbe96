"""factory-boy factories for every model; tests build what they need with these."""

import hashlib

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.models import (
    BounceEvent,
    BounceMailbox,
    Campaign,
    CampaignRun,
    EventSource,
    InboundMessage,
    MatchedBy,
    RunStatus,
    Send,
    SendStatus,
)
from contacts.choices import Category, MemberRole, Reason, Subtype
from contacts.models import BouncePolicy, Learner, Membership, Organization


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    policy = factory.RelatedFactory("tests.factories.BouncePolicyFactory", factory_related_name="organization")


class BouncePolicyFactory(factory.django.DjangoModelFactory[BouncePolicy]):
    class Meta:
        model = BouncePolicy
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory, policy=None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@portal.example")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MemberRole.ADMIN


class LearnerFactory(factory.django.DjangoModelFactory[Learner]):
    class Meta:
        model = Learner

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"learner{n}@school.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


class CampaignFactory(factory.django.DjangoModelFactory[Campaign]):
    class Meta:
        model = Campaign

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    subject = "Your training starts Monday"
    from_email = "training@sender.example"
    body_text = "Hello, your training starts Monday."


class CampaignRunFactory(factory.django.DjangoModelFactory[CampaignRun]):
    class Meta:
        model = CampaignRun

    campaign = factory.SubFactory(CampaignFactory)
    organization = factory.SelfAttribute("campaign.organization")
    status = RunStatus.DONE


class SendFactory(factory.django.DjangoModelFactory[Send]):
    class Meta:
        model = Send

    run = factory.SubFactory(CampaignRunFactory)
    organization = factory.SelfAttribute("run.organization")
    learner = factory.SubFactory(LearnerFactory, organization=factory.SelfAttribute("..organization"))
    email = factory.SelfAttribute("learner.email")
    domain = factory.LazyAttribute(lambda s: s.email.rpartition("@")[2])
    status = SendStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)


class BounceMailboxFactory(factory.django.DjangoModelFactory[BounceMailbox]):
    class Meta:
        model = BounceMailbox

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Mailbox {n}")
    protocol = "maildir"
    folder = "/tmp/bounces"


class InboundMessageFactory(factory.django.DjangoModelFactory[InboundMessage]):
    class Meta:
        model = InboundMessage

    organization = factory.SubFactory(OrganizationFactory)
    raw = factory.Sequence(lambda n: f"Subject: Undelivered Mail {n}\n\nbody {n}\n".encode())
    digest = factory.LazyAttribute(lambda m: hashlib.sha256(m.raw).hexdigest())
    size = factory.LazyAttribute(lambda m: len(m.raw))
    subject = "Undelivered Mail Returned to Sender"
    kind = "dsn"
    is_bounce = True


class BounceEventFactory(factory.django.DjangoModelFactory[BounceEvent]):
    """A verified hard bounce for a send; pass category/subtype/reason for other kinds."""

    class Meta:
        model = BounceEvent

    send = factory.SubFactory(SendFactory)
    organization = factory.SelfAttribute("send.organization")
    learner = factory.SelfAttribute("send.learner")
    address = factory.SelfAttribute("send.email")
    source = EventSource.MAILBOX
    action = "failed"
    status = "5.1.1"
    reply_code = "550"
    reason = Reason.USERUNKNOWN
    category = Category.HARD
    subtype = Subtype.ADDRESS_UNKNOWN
    hard = True
    diagnostic = factory.LazyAttribute(lambda e: f"550 5.1.1 <{e.address}>: Recipient address rejected: User unknown")
    remote_mta = "mx.school.example"
    matched_by = MatchedBy.VERP


# Keyword sets for the event kinds the policy tests use.
SOFT = dict(
    category=Category.SOFT,
    subtype=Subtype.MAILBOX_FULL,
    reason=Reason.MAILBOXFULL,
    hard=False,
    status="4.2.2",
    reply_code="452",
    action="failed",
    diagnostic="452 4.2.2 Mailbox full",
)
BLOCK = dict(
    category=Category.BLOCK,
    subtype=Subtype.SPAM_DETECTED,
    reason=Reason.SPAMDETECTED,
    hard=False,
    status="5.7.1",
    reply_code="554",
    diagnostic="554 5.7.1 Message rejected as spam",
)
AUTOREPLY = dict(
    category=Category.AUTOREPLY,
    subtype=Subtype.AUTO_REPLY,
    reason=Reason.VACATION,
    hard=False,
    status="",
    reply_code="",
    action="",
    diagnostic="I am out of the office until Monday.",
)
COMPLAINT = dict(
    category=Category.COMPLAINT,
    subtype=Subtype.SPAM_COMPLAINT,
    reason=Reason.FEEDBACK,
    hard=False,
    status="",
    reply_code="",
    action="",
    feedback_type="abuse",
    diagnostic="",
)
UNSUBSCRIBE = dict(
    category=Category.UNSUBSCRIBE,
    subtype=Subtype.UNSUBSCRIBE_REQUEST,
    reason=Reason.FEEDBACK,
    hard=False,
    status="",
    reply_code="",
    action="",
    diagnostic="Please remove me from this list",
)
UNDETERMINED = dict(
    category=Category.UNDETERMINED,
    subtype=Subtype.UNDETERMINED,
    reason=Reason.UNDEFINED,
    hard=False,
    status="",
    reply_code="",
    diagnostic="Something odd happened",
)


def bounced_learner(org, **send_kwargs):
    """A learner of ``org`` made bounced the real way: a hard bounce applied by the policy."""
    from campaigns.services.policy import apply_bounce_event

    send = SendFactory(run__campaign__organization=org, **send_kwargs)
    apply_bounce_event(event=BounceEventFactory(send=send))
    send.learner.refresh_from_db()
    return send.learner
