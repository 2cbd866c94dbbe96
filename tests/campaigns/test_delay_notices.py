"""A delay notice is not a bounce (DESIGN §2), in either shape it comes in: an RFC 3464 DSN with
``Action: delayed`` or a plain-text "not yet delivered, still trying" warning. Polled through the
worker's task, it is stored and listed as an inbound message, matches its send and makes it
``deferred``, never counts as a soft bounce toward suppression, and the learner pages show no
bounce for it."""

import pytest
from django.urls import reverse

from campaigns import bounce_generator as gen
from campaigns.bounce_generator import Original
from campaigns.models import BounceEvent, InboundMessage, Send, SendStatus
from campaigns.services.ingestion import reclassify_messages
from campaigns.services.review import inbound_to_review_for
from campaigns.tasks.ingestion import poll_mailbox
from tests.campaigns.conftest import drop, original_of
from tests.factories import SendFactory

pytestmark = pytest.mark.django_db

GREYLISTED = "451 4.7.1 Greylisted, please try again later"


def exim_delay_warning(original: Original, hours: int = 24) -> bytes:
    """An Exim-style plain-text delay warning: no message/delivery-status part, only the sentences."""
    return (
        f"Return-path: <>\n"
        f"Envelope-to: {original.verp}\n"
        f"Auto-Submitted: auto-replied\n"
        f"From: Mail Delivery System <Mailer-Daemon@relay.bounceportal.test>\n"
        f"To: {original.verp}\n"
        f"Subject: Warning: message 1t{original.token[:6]}-000Abc-7Q delayed {hours} hours\n"
        f"Message-Id: <E1w{original.token[:10]}-{hours:03d}@relay.bounceportal.test>\n"
        f"Date: Mon, 02 Nov 2026 09:00:00 +0000\n\n"
        f"This message was created automatically by mail delivery software.\n"
        f"A message that you sent has not yet been delivered to one or more of its\n"
        f"recipients after more than {hours} hours on the queue on relay.bounceportal.test.\n\n"
        f"The subject of the message is: {original.subject}\n\n"
        f"The address to which the message has not yet been delivered is:\n\n"
        f"  {original.email}\n"
        f"    host mx.{original.domain} [198.51.100.7]\n"
        f"    Delay reason: SMTP error from remote mail server after RCPT TO:<{original.email}>:\n"
        f"    {GREYLISTED}\n\n"
        f"No action is required on your part. Delivery attempts will continue for\n"
        f"some time, and this warning may be repeated at intervals if the message\n"
        f"remains undelivered.\n\n"
        f"------ This is a copy of the message's headers. ------\n\n"
        f"Return-Path: <{original.verp}>\n"
        f"From: Training Team <{original.from_email}>\n"
        f"To: <{original.email}>\n"
        f"Subject: {original.subject}\n"
        f"Message-ID: {original.message_id}\n"
    ).encode()


def rfc3464_delay(original: Original, hours: int = 4) -> bytes:
    """Postfix's "Delayed Mail (still being retried)" report (``Action: delayed``)."""
    return gen.postfix_dsn(original, status="4.4.1", action="delayed", diagnostic=GREYLISTED, boundary=f"DELAY.{hours}")


SHAPES = {"plain text": exim_delay_warning, "RFC 3464": rfc3464_delay}
each_shape = pytest.mark.parametrize("notice", SHAPES.values(), ids=SHAPES.keys())


def poll(mailbox) -> dict:
    """Poll the mailbox the way beat has the worker do it (the Celery task, run eagerly here)."""
    return poll_mailbox.delay(mailbox.pk).get()


@each_shape
def test_a_delay_notice_is_stored_and_listed_as_an_inbound_message_that_is_no_bounce(
    notice, maildir_mailbox, maildir, send, cx_client
):
    raw = notice(original_of(send))
    drop(maildir, raw)

    counts = poll(maildir_mailbox)

    message = InboundMessage.objects.get()
    assert bytes(message.raw) == raw and message.processed_at is not None
    assert (message.kind, message.is_bounce, message.matched_by) == ("dsn", False, "verp")
    assert (counts["stored"], counts["bounces"], counts["marked"]) == (1, 0, 1)
    listed = cx_client.get(reverse("admin:campaigns_inboundmessage_changelist"))
    assert [m.pk for m in listed.context["cl"].result_list] == [message.pk]


@each_shape
def test_a_delay_notice_matches_its_send_and_makes_it_deferred(notice, maildir_mailbox, maildir, send):
    drop(maildir, notice(original_of(send)))

    counts = poll(maildir_mailbox)

    send.refresh_from_db()
    assert send.status == SendStatus.DEFERRED and GREYLISTED in send.last_reply
    assert (counts["deferred"], counts["events"]) == (1, 0)
    assert not BounceEvent.objects.exists()


@each_shape
def test_delay_notices_never_count_as_soft_bounces_toward_suppression(notice, org, maildir_mailbox, maildir, send):
    learner = send.learner
    learner.soft_bounce_count = 3  # soft bounces before: a delay neither adds to them nor resets them
    learner.save(update_fields=["soft_bounce_count"])
    sends = [send] + [SendFactory(run__campaign__organization=org, learner=learner) for _ in range(11)]
    for hours, each in enumerate(sends, start=1):  # more than the unengaged threshold of 10
        drop(maildir, notice(original_of(each), hours=hours))

    poll(maildir_mailbox)

    learner.refresh_from_db()
    assert (learner.status, learner.soft_bounce_count, learner.status_event_id) == ("active", 3, None)
    assert (learner.last_bounce_category, learner.bounce_count) == ("", 0) and not BounceEvent.objects.exists()
    assert set(Send.objects.filter(learner=learner).values_list("status", flat=True)) == {SendStatus.DEFERRED}


@each_shape
def test_the_learner_pages_show_the_send_deferred_and_no_bounce(notice, maildir_mailbox, maildir, send, admin_client):
    drop(maildir, notice(original_of(send)))
    poll(maildir_mailbox)
    learner = send.learner

    profile = admin_client.get(reverse("contacts:learner-detail", args=[learner.pk])).content.decode()
    edit = admin_client.get(reverse("contacts:learner-edit", args=[learner.pk])).content.decode()
    bounced = admin_client.get(reverse("contacts:learner-list"), {"status": "bounced"}).content.decode()

    log = profile[profile.index('id="activity-title"') :]
    assert "badge-send-deferred" in log and "activity-bounce" not in log
    assert "What the receiving server said" not in edit
    assert learner.email not in bounced


@each_shape
def test_a_delay_notice_stored_as_a_bounce_by_an_older_classifier_is_reread_as_none(
    notice, maildir_mailbox, maildir, send, cx_user
):
    drop(maildir, notice(original_of(send)))
    poll(maildir_mailbox)
    InboundMessage.objects.update(is_bounce=True, classifier_version="0.1")  # what earlier releases stored

    reclassify_messages(messages=InboundMessage.objects.all(), reclassified_by=cx_user)

    message = InboundMessage.objects.get()
    send.refresh_from_db()
    send.learner.refresh_from_db()
    assert (message.is_bounce, message.kind, message.matched_by) == (False, "dsn", "verp")
    assert send.status == SendStatus.DEFERRED and send.learner.soft_bounce_count == 0
    assert not BounceEvent.objects.exists()


@each_shape
def test_an_unmatched_delay_notice_waits_on_its_mailbox_page_not_in_the_bounce_review(
    notice, org, maildir_mailbox, maildir, admin_client
):
    # Nobody we sent to: no token to match, no recent send to that address. A review could attach no
    # bounce to a learner (a delay has none), so only the mailbox's list of mail to look at shows it.
    stranger = Original(token="NoSuchToken0000000000000", email="someone@elsewhere.example")
    drop(maildir, notice(stranger))

    poll(maildir_mailbox)

    message = InboundMessage.objects.get()
    page = admin_client.get(reverse("campaigns:mailbox-edit", args=[maildir_mailbox.pk]))
    assert (message.is_bounce, message.matched_by) == (False, "none")
    assert [m.pk for m in page.context["review"]] == [message.pk]
    assert list(inbound_to_review_for(org)) == []


def test_a_soft_bounce_beside_the_delays_still_counts(org, maildir_mailbox, maildir, send):
    """The control of the tests above: the same poll counts a real soft bounce (a full mailbox)."""
    other = SendFactory(run__campaign__organization=org, learner=send.learner)
    drop(maildir, exim_delay_warning(original_of(send)))
    drop(maildir, gen.exim_text(original_of(other)))

    poll(maildir_mailbox)

    send.learner.refresh_from_db()
    other.refresh_from_db()
    assert send.learner.soft_bounce_count == 1 and other.status == SendStatus.BOUNCED
    assert BounceEvent.objects.get().send == other
    assert Send.objects.get(pk=send.pk).status == SendStatus.DEFERRED
