"""The re-classify preview counts what would change, through the same transitions as applying, and writes nothing."""

import pytest

from campaigns import bounce_generator as gen
from campaigns.models import BounceEvent, InboundMessage
from campaigns.services import inbound
from campaigns.services.ingestion import poll_mailbox_once
from campaigns.services.reclassify_preview import preview_reclassify
from contacts.models import Clearance, Learner
from tests.campaigns.conftest import drop, original_of
from tests.campaigns.test_reclassify import old_classifier_says
from tests.factories import SendFactory

pytestmark = pytest.mark.django_db


def test_the_preview_matches_what_applying_does_and_changes_nothing(
    maildir_mailbox, maildir, org, monkeypatch, cx_user
):
    full, unknown, spam = (SendFactory(run__campaign__organization=org) for _ in range(3))
    real = old_classifier_says(monkeypatch, "userunknown")
    drop(maildir, gen.exim_text(original_of(full)))  # really a full mailbox: bounced → active
    drop(maildir, gen.postfix_dsn(original_of(unknown)))  # really unknown: stays bounced
    poll_mailbox_once(mailbox=maildir_mailbox)
    old_classifier_says(monkeypatch, "mailboxfull")
    drop(maildir, gen.postfix_dsn(original_of(spam)))  # read as a soft bounce now, hard after the upgrade
    poll_mailbox_once(mailbox=maildir_mailbox)
    monkeypatch.setattr(inbound.classifier, "classify", real)
    events_before = sorted(BounceEvent.objects.values_list("pk", "category", "reason"))
    statuses_before = sorted(Learner.objects.values_list("pk", "status", "soft_bounce_count", "bounce_count"))

    preview = preview_reclassify(messages=InboundMessage.objects.all(), reclassified_by=cx_user)

    assert sorted(BounceEvent.objects.values_list("pk", "category", "reason")) == events_before
    assert sorted(Learner.objects.values_list("pk", "status", "soft_bounce_count", "bounce_count")) == statuses_before
    assert not Clearance.objects.exists()
    assert (preview.selected, preview.previewed, preview.changed_messages) == (3, 3, 2)
    assert (preview.reason_changes, preview.category_changes) == (2, 2)
    assert (preview.to_active, preview.to_bounced) == (1, 1)
    assert {(c.email, c.before, c.after) for c in preview.learners} == {
        (full.email, "bounced", "active"),
        (spam.email, "active", "bounced"),
    }

    from campaigns.services.ingestion import reclassify_messages

    reclassify_messages(messages=InboundMessage.objects.all(), reclassified_by=cx_user)

    after = dict(Learner.objects.values_list("email", "status"))
    assert (after[full.email], after[unknown.email], after[spam.email]) == ("active", "bounced", "bounced")
    assert Clearance.objects.get().cleared_by == cx_user


def test_a_large_selection_is_previewed_on_its_first_messages(maildir_mailbox, maildir, org, cx_user):
    for _ in range(3):
        drop(maildir, gen.postfix_dsn(original_of(SendFactory(run__campaign__organization=org))))
    poll_mailbox_once(mailbox=maildir_mailbox)

    preview = preview_reclassify(messages=InboundMessage.objects.all(), reclassified_by=cx_user, limit=2)

    assert (preview.selected, preview.previewed, preview.changed_messages) == (3, 2, 0)
