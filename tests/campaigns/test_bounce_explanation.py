"""Every bounce event says why it was read as it was, and admins see it (DESIGN "Classifier contract")."""

import pytest
from django.urls import reverse

from campaigns import bounce_generator as gen
from campaigns.models import BounceEvent
from campaigns.services.ingestion import poll_mailbox_once
from campaigns.services.sending import create_run, launch_run
from tests.campaigns.conftest import drop, original_of
from tests.factories import CampaignFactory, LearnerFactory

pytestmark = pytest.mark.django_db

BLOCKLISTED = "554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org"


def test_a_mailbox_bounce_keeps_the_rules_and_words_that_decided_it(maildir_mailbox, maildir, send):
    drop(maildir, gen.postfix_dsn(original_of(send)))

    poll_mailbox_once(mailbox=maildir_mailbox)

    event = BounceEvent.objects.get()
    assert event.reason == "userunknown"
    assert event.evidence, "a hard bounce must say which rule fired"
    assert all(set(item) == {"rule", "text"} and item["rule"] for item in event.evidence)
    assert not event.sender_side


def test_a_refusal_at_rcpt_names_its_stage_side_and_blocklist(org, smtp_sink, django_capture_on_commit_callbacks):
    campaign = CampaignFactory(organization=org)
    LearnerFactory(organization=org, email="ada@school.example")
    smtp_sink.reply_to("ada@school.example", BLOCKLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        launch_run(run=create_run(campaign=campaign))

    event = BounceEvent.objects.get()
    assert (event.category, event.reason, event.stage, event.sender_side) == ("block", "blocked", "rcpt", True)
    assert event.blocklist == "Spamhaus ZEN"
    assert any("zen.spamhaus.org" in item["text"] for item in event.evidence)


def test_the_learner_profile_shows_why_a_bounce_was_read_as_a_mail_block(
    admin_client, org, smtp_sink, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organization=org)
    learner = LearnerFactory(organization=org, email="ada@school.example")
    smtp_sink.reply_to("ada@school.example", BLOCKLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        launch_run(run=create_run(campaign=campaign))

    body = admin_client.get(reverse("contacts:learner-detail", args=[learner.pk])).content.decode()

    assert "Why we read it so" in body
    assert "Refused at RCPT TO (the recipient)" in body
    assert 'Blocklist named: <a href="/campaigns/sending-configurations/spamhaus-zen/">Spamhaus ZEN</a>' in body
    assert "sender&#x27;s side" in body


def test_hostile_evidence_text_is_escaped_on_the_profile(admin_client, org, maildir_mailbox, maildir, send):
    drop(maildir, gen.postfix_dsn(original_of(send), diagnostic="550 5.1.1 <script>alert(1)</script> User unknown"))
    poll_mailbox_once(mailbox=maildir_mailbox)

    body = admin_client.get(reverse("contacts:learner-detail", args=[send.learner_id])).content.decode()

    assert "<script>alert(1)</script>" not in body


def test_the_admin_inbound_message_page_shows_the_evidence(cx_client, maildir_mailbox, maildir, send):
    drop(maildir, gen.postfix_dsn(original_of(send)))
    poll_mailbox_once(mailbox=maildir_mailbox)
    event = BounceEvent.objects.get()

    page = cx_client.get(reverse("admin:campaigns_inboundmessage_change", args=[event.inbound_message_id]))
    event_page = cx_client.get(reverse("admin:campaigns_bounceevent_change", args=[event.pk]))

    rule = event.evidence[0]["rule"]
    assert page.status_code == 200 and "why we read it so" in page.content.decode().lower()
    assert rule in page.content.decode() and rule in event_page.content.decode()
