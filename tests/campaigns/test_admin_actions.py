"""Admin actions backed by the ingestion services: "Re-classify" messages and "Poll now" mailboxes."""

import hashlib

import pytest
from django.urls import reverse

from campaigns import admin as campaigns_admin
from campaigns.bounce_generator import postfix_dsn
from campaigns.models import BounceEvent, InboundMessage
from tests.campaigns.conftest import drop, original_of
from tests.factories import InboundMessageFactory

INBOUND = reverse("admin:campaigns_inboundmessage_changelist")
MAILBOXES = reverse("admin:campaigns_bouncemailbox_changelist")
pytestmark = pytest.mark.django_db


def stored_unclassified(send):
    """A real Postfix bounce for ``send``, stored as if an old classifier had not understood it."""
    raw = postfix_dsn(original_of(send))
    return InboundMessageFactory(
        organization=send.organization,
        raw=raw,
        digest=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        kind="unparseable",
        is_bounce=False,
        matched_by="none",
        classifier_version="0-old",
    )


def test_reclassify_replaces_the_verdict_and_applies_the_new_events(cx_client, send):
    message = stored_unclassified(send)

    response = cx_client.post(
        INBOUND, {"action": "reclassify", "apply": "yes", "_selected_action": [message.pk], "index": "0"}
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.kind == "dsn" and message.is_bounce and message.matched_by == "verp"
    assert message.classifier_version != "0-old"
    event = BounceEvent.objects.get(inbound_message=message)
    assert (event.send_id, event.category, event.subtype) == (send.pk, "hard", "address_unknown")
    send.learner.refresh_from_db()
    assert send.learner.status == "bounced"


def test_reclassify_twice_changes_nothing_the_second_time(cx_client, send):
    message = stored_unclassified(send)
    cx_client.post(INBOUND, {"action": "reclassify", "apply": "yes", "_selected_action": [message.pk], "index": "0"})
    first = BounceEvent.objects.get(inbound_message=message)

    cx_client.post(INBOUND, {"action": "reclassify", "apply": "yes", "_selected_action": [message.pk], "index": "0"})

    assert list(BounceEvent.objects.filter(inbound_message=message)) == [first]


def test_large_selection_is_reclassified_by_worker_tasks(
    cx_client, send, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(campaigns_admin, "RECLASSIFY_SYNC_LIMIT", 1)
    monkeypatch.setattr(campaigns_admin, "RECLASSIFY_TASK_SIZE", 1)
    first = stored_unclassified(send)
    InboundMessageFactory(organization=send.organization, kind="pending")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = cx_client.post(
            INBOUND,
            {
                "action": "reclassify",
                "apply": "yes",
                "select_across": "1",
                "index": "0",
                "_selected_action": [first.pk],
            },
            follow=True,
        )

    assert len(callbacks) == 2
    assert "Re-classifying 2 messages in the background (2 tasks)" in response.content.decode()
    assert set(InboundMessage.objects.values_list("kind", flat=True)) == {"dsn", "not_bounce"}


def test_reclassify_needs_the_change_inbound_message_permission(client, send):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(
        *Group.objects.get(name="Customer experience").permissions.exclude(codename="change_inboundmessage")
    )
    client.force_login(viewer)
    message = stored_unclassified(send)

    page = client.get(INBOUND).content.decode()
    client.post(INBOUND, {"action": "reclassify", "apply": "yes", "_selected_action": [message.pk], "index": "0"})

    assert 'value="reclassify"' not in page
    message.refresh_from_db()
    assert message.kind == "unparseable"


def test_poll_now_polls_the_mailbox_and_shows_the_result(
    cx_client, maildir, maildir_mailbox, send, django_capture_on_commit_callbacks
):
    drop(maildir, postfix_dsn(original_of(send)))

    with django_capture_on_commit_callbacks(execute=True):
        response = cx_client.post(
            MAILBOXES, {"action": "poll_now", "_selected_action": [maildir_mailbox.pk], "index": "0"}, follow=True
        )

    assert "Polling 1 mailbox(es) now" in response.content.decode()
    maildir_mailbox.refresh_from_db()
    assert maildir_mailbox.last_polled_at is not None and maildir_mailbox.last_error == ""
    message = InboundMessage.objects.get(mailbox=maildir_mailbox)
    assert message.kind == "dsn" and BounceEvent.objects.get(inbound_message=message).send_id == send.pk


def test_poll_now_records_an_unreadable_mailbox_as_its_last_error(cx_client, org, django_capture_on_commit_callbacks):
    from tests.factories import BounceMailboxFactory

    broken = BounceMailboxFactory(organization=org, protocol="maildir", folder="/nonexistent/maildir")

    with django_capture_on_commit_callbacks(execute=True):
        cx_client.post(MAILBOXES, {"action": "poll_now", "_selected_action": [broken.pk], "index": "0"})
    page = cx_client.get(MAILBOXES).content.decode()

    broken.refresh_from_db()
    assert "is not a Maildir" in broken.last_error
    assert "is not a Maildir" in page


def test_poll_now_skips_disabled_mailboxes_and_says_so(cx_client, maildir_mailbox, django_capture_on_commit_callbacks):
    maildir_mailbox.enabled = False
    maildir_mailbox.save()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = cx_client.post(
            MAILBOXES, {"action": "poll_now", "_selected_action": [maildir_mailbox.pk], "index": "0"}, follow=True
        )

    assert callbacks == []
    assert "1 disabled mailbox(es) skipped" in response.content.decode()


def test_reclassify_in_the_admin_names_the_support_user_on_the_clearance(
    cx_client, cx_user, maildir_mailbox, maildir, send, monkeypatch
):
    from contacts.models import Clearance
    from tests.campaigns.test_reclassify import misread_full_mailbox

    message = misread_full_mailbox(monkeypatch, maildir, maildir_mailbox, send)

    cx_client.post(INBOUND, {"action": "reclassify", "apply": "yes", "_selected_action": [message.pk], "index": "0"})

    clearance = Clearance.objects.get(learner=send.learner)
    assert (clearance.cleared_by, clearance.via) == (cx_user, "reclassify")


def test_reclassify_first_shows_what_would_change_and_changes_nothing(
    cx_client, cx_user, maildir, maildir_mailbox, send, monkeypatch
):
    from contacts.models import Clearance
    from tests.campaigns.test_reclassify import misread_full_mailbox

    message = misread_full_mailbox(monkeypatch, maildir, maildir_mailbox, send)
    form = {"action": "reclassify", "_selected_action": [message.pk], "index": "0"}

    preview = cx_client.post(INBOUND, form)

    page = preview.content.decode()
    send.learner.refresh_from_db()
    assert preview.status_code == 200 and send.learner.status == "bounced"
    assert BounceEvent.objects.get().category == "hard" and not Clearance.objects.exists()
    assert 'id="to-active">1<' in page and 'id="category-changes">1<' in page
    assert "hard / address_unknown (userunknown)" in page and "soft / mailbox_full (mailboxfull)" in page

    applied = cx_client.post(INBOUND, {**form, "apply": "yes"})

    send.learner.refresh_from_db()
    assert applied.status_code == 302 and send.learner.status == "active"
    assert Clearance.objects.get().cleared_by == cx_user
