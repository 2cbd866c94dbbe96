"""manage.py demo_bounces: generated bounces of several MTA formats, ingested so the pages have events."""

import pytest
from django.core.management import call_command

from campaigns.models import BounceEvent, BounceMailbox, InboundMessage
from tests.factories import CampaignRunFactory, SendFactory

pytestmark = pytest.mark.django_db


def test_demo_bounces_fills_a_maildir_and_ingests_every_kind(org, maildir, settings, capsys):
    settings.DEMO_MAILDIR = maildir
    run = CampaignRunFactory(campaign__organization=org)
    SendFactory.create_batch(60, run=run, learner__organization=org)

    call_command("demo_bounces", "--count", "60")
    call_command("demo_bounces")

    mailbox = BounceMailbox.objects.get(organization=org, protocol="maildir")
    kinds = set(InboundMessage.objects.values_list("kind", flat=True))
    categories = set(BounceEvent.objects.values_list("category", flat=True))
    matches = set(BounceEvent.objects.values_list("matched_by", flat=True))
    assert mailbox.folder == str(maildir)
    assert {"dsn", "autoreply", "feedback", "not_bounce"} <= kinds
    assert {"hard", "soft", "block", "autoreply", "complaint"} <= categories
    assert {"verp", "address", "none"} <= matches
    assert InboundMessage.objects.count() == 62
    assert "Wrote 0 generated bounces" in capsys.readouterr().out
