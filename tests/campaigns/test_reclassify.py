"""Re-classifying stored messages after a classifier upgrade replaces their events without double counting."""

import pytest

from bounceportal import classifier
from campaigns import bounce_generator as gen
from campaigns.models import BounceEvent, InboundMessage
from campaigns.services import inbound
from campaigns.services.ingestion import poll_mailbox_once, reclassify_messages
from campaigns.services.policy import apply_bounce_event
from contacts.models import BouncePolicy, Clearance
from tests.campaigns.conftest import drop, original_of

pytestmark = pytest.mark.django_db


def old_classifier_says(monkeypatch, reason: str):
    """Ingest with a 'previous classifier' that reads every recipient with the given reason."""
    real = classifier.classify

    def old(raw, **kwargs):
        result = real(raw, **kwargs)
        for recipient in result.recipients:
            recipient.set_reason(reason)
        return result

    monkeypatch.setattr(inbound.classifier, "classify", old)
    return real


def misread_full_mailbox(monkeypatch, maildir, mailbox, send) -> InboundMessage:
    """Ingest a full-mailbox bounce for ``send`` as an old classifier that read it as 'user unknown'
    (so the learner is bounced), then put the real classifier back; return the stored message."""
    real = old_classifier_says(monkeypatch, "userunknown")
    drop(maildir, gen.exim_text(original_of(send)))
    poll_mailbox_once(mailbox=mailbox)
    monkeypatch.setattr(inbound.classifier, "classify", real)
    return InboundMessage.objects.get(mailbox=mailbox)


def test_unchanged_verdict_leaves_events_and_learner_untouched(maildir_mailbox, maildir, send, cx_user):
    drop(maildir, gen.exim_text(original_of(send)))
    poll_mailbox_once(mailbox=maildir_mailbox)
    event_ids = list(BounceEvent.objects.values_list("pk", flat=True))

    count = reclassify_messages(messages=InboundMessage.objects.all(), reclassified_by=cx_user)

    send.learner.refresh_from_db()
    assert count == 1
    assert list(BounceEvent.objects.values_list("pk", flat=True)) == event_ids
    assert send.learner.soft_bounce_count == 1 and send.learner.bounce_count == 1


def test_mistaken_hard_bounce_becomes_soft_and_the_learner_is_active_again(
    maildir_mailbox, maildir, send, monkeypatch, cx_user
):
    real = old_classifier_says(monkeypatch, "userunknown")
    drop(maildir, gen.exim_text(original_of(send)))  # really a full mailbox
    poll_mailbox_once(mailbox=maildir_mailbox)
    send.learner.refresh_from_db()
    assert send.learner.status == "bounced"
    monkeypatch.setattr(inbound.classifier, "classify", real)

    reclassify_messages(messages=InboundMessage.objects.all(), reclassified_by=cx_user)

    send.learner.refresh_from_db()
    event = BounceEvent.objects.get()
    assert (event.category, event.subtype, event.outcome) == ("soft", "mailbox_full", "counted")
    assert send.learner.status == "active" and send.learner.status_event_id is None
    assert (send.learner.soft_bounce_count, send.learner.bounce_count) == (1, 1)
    clearance = Clearance.objects.get(learner=send.learner)
    assert clearance.previous_status == "bounced" and "re-classified" in clearance.note
    assert send.learner.times_cleared == 1


def test_reclassify_clearance_names_the_support_user_and_channel(maildir_mailbox, maildir, send, monkeypatch, cx_user):
    real = old_classifier_says(monkeypatch, "userunknown")
    drop(maildir, gen.exim_text(original_of(send)))  # really a full mailbox
    poll_mailbox_once(mailbox=maildir_mailbox)
    monkeypatch.setattr(inbound.classifier, "classify", real)

    reclassify_messages(messages=InboundMessage.objects.all(), reclassified_by=cx_user)

    clearance = Clearance.objects.get(learner=send.learner)
    assert (clearance.cleared_by, clearance.via) == (cx_user, "reclassify")
    assert (clearance.previous_category, clearance.previous_subtype) == ("hard", "address_unknown")


def test_soft_bounce_reread_as_mail_block_is_counted_once(maildir_mailbox, maildir, send, monkeypatch, cx_user):
    # A sender-side block is counted only when the policy says so: here it does, to see it counted once.
    BouncePolicy.objects.update_or_create(organization=send.organization, defaults={"sender_side_counts": True})
    real = old_classifier_says(monkeypatch, "mailboxfull")
    drop(maildir, gen.build("postfix_block", original_of(send)))
    poll_mailbox_once(mailbox=maildir_mailbox)
    monkeypatch.setattr(inbound.classifier, "classify", real)

    reclassify_messages(messages=InboundMessage.objects.all(), reclassified_by=cx_user)
    reclassify_messages(messages=InboundMessage.objects.all(), reclassified_by=cx_user)

    send.learner.refresh_from_db()
    assert BounceEvent.objects.get().category == "block"
    assert (send.learner.soft_bounce_count, send.learner.bounce_count) == (1, 1)


def test_hard_bounce_that_stays_hard_keeps_the_learner_bounced_without_a_clearance(
    maildir_mailbox, maildir, send, monkeypatch, cx_user
):
    real = old_classifier_says(monkeypatch, "hostunknown")
    drop(maildir, gen.postfix_dsn(original_of(send)))
    poll_mailbox_once(mailbox=maildir_mailbox)
    monkeypatch.setattr(inbound.classifier, "classify", real)

    reclassify_messages(messages=InboundMessage.objects.all(), reclassified_by=cx_user)

    send.learner.refresh_from_db()
    event = BounceEvent.objects.get()
    assert event.subtype == "address_unknown" and send.learner.status == "bounced"
    assert send.learner.status_event_id == event.pk and not Clearance.objects.exists()
    assert send.learner.bounce_count == 1


def test_replaced_events_are_kept_for_the_audit_as_superseded(maildir_mailbox, maildir, send, monkeypatch, cx_user):
    real = old_classifier_says(monkeypatch, "userunknown")
    drop(maildir, gen.exim_text(original_of(send)))
    poll_mailbox_once(mailbox=maildir_mailbox)
    old = BounceEvent.objects.get()
    monkeypatch.setattr(inbound.classifier, "classify", real)

    reclassify_messages(messages=InboundMessage.objects.all(), reclassified_by=cx_user)

    kept = BounceEvent.all_objects.get(pk=old.pk)
    assert kept.superseded_at is not None
    assert (kept.category, kept.reason, kept.outcome) == ("hard", "userunknown", old.outcome)
    assert BounceEvent.objects.get().category == "soft"


def test_message_reread_as_not_a_bounce_loses_its_events(maildir_mailbox, maildir, send, monkeypatch, cx_user):
    drop(maildir, gen.human_reply(original_of(send)))
    poll_mailbox_once(mailbox=maildir_mailbox)
    message = InboundMessage.objects.get()
    event = BounceEvent.objects.create(
        organization=send.organization,
        inbound_message=message,
        send=send,
        learner=send.learner,
        address=send.email,
        category="soft",
        subtype="mailbox_full",
        reason="mailboxfull",
        matched_by="verp",
    )
    apply_bounce_event(event=event)

    reclassify_messages(messages=InboundMessage.objects.filter(pk=message.pk), reclassified_by=cx_user)

    send.learner.refresh_from_db()
    message.refresh_from_db()
    assert not BounceEvent.objects.exists() and message.kind == "not_bounce"
    assert (send.learner.soft_bounce_count, send.learner.bounce_count) == (0, 0)
    assert message.classifier_version == inbound.classifier_version()


def test_the_reclassify_command_names_the_support_user_it_was_given(maildir_mailbox, maildir, send, monkeypatch):
    from django.core.management import call_command

    from tests.factories import UserFactory

    support = UserFactory(username="sam", is_staff=True)
    real = old_classifier_says(monkeypatch, "userunknown")
    drop(maildir, gen.exim_text(original_of(send)))  # really a full mailbox
    poll_mailbox_once(mailbox=maildir_mailbox)
    monkeypatch.setattr(inbound.classifier, "classify", real)

    call_command("reclassify_messages", "--all", "--by", "sam")

    clearance = Clearance.objects.get(learner=send.learner)
    assert (clearance.cleared_by, clearance.via) == (support, "reclassify")
