"""Sending a run to a real SMTP peer (aiosmtpd): what each reply does to sends, events and learners."""

import email
import email.policy

import pytest
from django.utils import timezone

from bounceportal.classifier import classify
from campaigns.models import BounceEvent, EventSource, MatchedBy, RunStatus, Send, SendStatus
from campaigns.services.delivery import send_chunk
from campaigns.services.sending import create_run, launch_run, schedule_run
from contacts.choices import Category, DeliverabilityStatus, Subtype
from tests.factories import CampaignFactory, LearnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org):
    return CampaignFactory(
        organization=org,
        subject="Your training starts Monday",
        from_name="Training Team",
        from_email="training@sender.example",
        body_text="Hello,\n\nSee you on Monday.\n",
        body_html="<html><body><p>Hello,</p><p>See you on Monday.</p></body></html>",
    )


def launch(campaign, django_capture_on_commit_callbacks, **kwargs):
    """Launch a run of the campaign and run its (eager) chunks; return the run."""
    with django_capture_on_commit_callbacks(execute=True):
        run = launch_run(run=create_run(campaign=campaign, **kwargs))
    run.refresh_from_db()
    return run


def send_of(learner) -> Send:
    return Send.objects.get(learner=learner)


def test_accepted_message_carries_the_verp_sender_token_headers_pixel_and_one_click_unsubscribe(
    org, campaign, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.BOUNCE_DOMAIN, settings.PUBLIC_BASE_URL = "bounces.acme.test", "https://portal.acme.test"
    learner = LearnerFactory(organization=org, email="ada@school.example")

    run = launch(campaign, django_capture_on_commit_callbacks)

    send = send_of(learner)
    [received] = smtp_sink.messages
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert received.mail_from == f"bounces+{send.token}@bounces.acme.test"
    assert received.rcpt_tos == ["ada@school.example"]
    assert message["Message-ID"] == f"<{send.token}@bounces.acme.test>"
    assert message["X-BouncePortal-Token"] == send.token
    assert message["List-Unsubscribe"] == f"<https://portal.acme.test/u/{send.token}/>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["From"] == "Training Team <training@sender.example>"
    assert message["Subject"] == "Your training starts Monday"
    assert message["To"] == "ada@school.example"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "See you on Monday." in text and f"https://portal.acme.test/u/{send.token}/" in text
    assert f'<img src="https://portal.acme.test/t/{send.token}/open.gif"' in html
    assert html.rstrip().endswith("</body></html>")
    assert send.status == SendStatus.SENT and send.attempts == 1 and send.sent_at is not None
    assert send.last_reply.startswith("250 2.0.0 Ok: queued as")
    assert run.status == RunStatus.DONE and run.finished_at is not None


def test_an_address_corrected_after_scheduling_is_the_one_sent_to(
    org, campaign, smtp_sink, django_capture_on_commit_callbacks
):
    from contacts.deliverability import change_learner_email

    learner = LearnerFactory(organization=org, email="ada@old-school.example")
    with django_capture_on_commit_callbacks() as sending:  # scheduled, not sent yet
        launch_run(run=create_run(campaign=campaign))
    change_learner_email(learner=learner, new_email="ada@school.example", changed_by=None)

    for send_the_run in sending:
        send_the_run()

    [received] = smtp_sink.messages
    send = send_of(learner)
    assert received.rcpt_tos == ["ada@school.example"]
    assert (send.email, send.domain, send.status) == ("ada@school.example", "school.example", SendStatus.SENT)


def test_a_returned_copy_of_our_message_leads_the_classifier_back_to_the_send(
    org, campaign, smtp_sink, django_capture_on_commit_callbacks
):
    learner = LearnerFactory(organization=org, email="gone@school.example")
    launch(campaign, django_capture_on_commit_callbacks)
    original = smtp_sink.messages[0].data
    bounce = (
        b"From: MAILER-DAEMON@mx.school.example\r\nTo: someone@elsewhere.example\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.school.example\r\n\r\n"
        b"Final-Recipient: rfc822; gone@school.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"--B\r\nContent-Type: message/rfc822\r\n\r\n" + original + b"--B--\r\n"
    )

    result = classify(bounce)

    assert result.send_token == send_of(learner).token


def test_550_at_rcpt_is_a_hard_bounce_event_at_once_and_suppresses_the_learner(
    org, campaign, smtp_sink, django_capture_on_commit_callbacks
):
    gone = LearnerFactory(organization=org, email="gone@school.example")
    fine = LearnerFactory(organization=org, email="fine@school.example")
    smtp_sink.reply_to(
        "gone@school.example",
        "550 5.1.1 <gone@school.example>: Recipient address rejected: User unknown in virtual mailbox table",
    )

    run = launch(campaign, django_capture_on_commit_callbacks)

    event = BounceEvent.objects.get()
    gone.refresh_from_db()
    assert (event.source, event.matched_by, event.send_id, event.learner_id) == (
        EventSource.SMTP,
        MatchedBy.VERP,
        send_of(gone).pk,
        gone.pk,
    )
    assert (event.category, event.subtype, event.reason, event.status, event.reply_code) == (
        Category.HARD,
        Subtype.ADDRESS_UNKNOWN,
        "userunknown",
        "5.1.1",
        "550",
    )
    assert "User unknown" in event.diagnostic and event.applied_at is not None
    assert gone.status == DeliverabilityStatus.BOUNCED and gone.status_event_id == event.pk
    assert send_of(gone).status == SendStatus.BOUNCED and send_of(gone).bounced_at is not None
    assert send_of(fine).status == SendStatus.SENT
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["fine@school.example"]]
    assert run.status == RunStatus.DONE


def test_552_mailbox_full_counts_toward_the_soft_threshold_without_suppressing(
    org, campaign, smtp_sink, django_capture_on_commit_callbacks
):
    full = LearnerFactory(organization=org, email="full@school.example", soft_bounce_count=3)
    smtp_sink.reply_to("full@school.example", "552 5.2.2 Mailbox full")

    launch(campaign, django_capture_on_commit_callbacks)

    full.refresh_from_db()
    event = BounceEvent.objects.get(learner=full)
    assert (event.category, event.subtype, event.reason) == (Category.SOFT, Subtype.MAILBOX_FULL, "mailboxfull")
    assert full.status == DeliverabilityStatus.ACTIVE and full.soft_bounce_count == 4
    assert send_of(full).status == SendStatus.BOUNCED


def test_554_at_data_is_a_mail_block_classified_from_the_reply(
    org, campaign, smtp_sink, django_capture_on_commit_callbacks
):
    blocked = LearnerFactory(organization=org, email="blocked@filtered.example")
    smtp_sink.reply_to(
        "blocked@filtered.example", "554 5.7.1 Message rejected as spam by Content Filtering", stage="DATA"
    )

    launch(campaign, django_capture_on_commit_callbacks)

    event = BounceEvent.objects.get(learner=blocked)
    assert (event.category, event.subtype, event.reason) == (Category.BLOCK, Subtype.SPAM_DETECTED, "spamdetected")
    assert event.reply_code == "554" and event.remote_mta == "127.0.0.1"
    blocked.refresh_from_db()
    # Spam content is the sender's doing: recorded on the learner, not counted (DESIGN §3).
    assert event.sender_side and event.outcome == "sender_side"
    assert blocked.soft_bounce_count == 0 and blocked.last_bounce_category == Category.BLOCK
    assert smtp_sink.messages == []


def test_user_unknown_after_the_message_was_sent_is_a_filter_not_a_dead_address(
    org, campaign, smtp_sink, django_capture_on_commit_callbacks
):
    """A refusal of the content (the reply to the final dot) comes from whatever read it, often a
    security appliance: the learner is not suppressed as if the mailbox were gone."""
    learner = LearnerFactory(organization=org, email="ada@guarded.example")
    smtp_sink.reply_to("ada@guarded.example", "550 5.1.1 User unknown", stage="DATA")

    launch(campaign, django_capture_on_commit_callbacks)

    event = BounceEvent.objects.get(learner=learner)
    learner.refresh_from_db()
    assert event.stage == "after-data" and event.category != Category.HARD
    assert learner.status == DeliverabilityStatus.ACTIVE


@pytest.mark.parametrize("reply", ["451 4.7.1 Greylisted, please try again later", "421 4.7.0 Too many connections"])
def test_a_4xx_reply_defers_the_send_with_backoff_and_the_rest_of_the_chunk_still_goes(
    org, campaign, smtp_sink, settings, reply, django_capture_on_commit_callbacks
):
    settings.SEND_RETRY_BASE_SECONDS = 300
    later = LearnerFactory(organization=org, email="later@school.example")
    others = LearnerFactory.create_batch(3, organization=org)
    smtp_sink.reply_to("later@school.example", reply)
    before = timezone.now()

    run = launch(campaign, django_capture_on_commit_callbacks)

    send = send_of(later)
    assert send.status == SendStatus.DEFERRED and send.attempts == 1
    assert send.last_reply == reply and send.claimed_at is None
    assert 299 <= (send.next_attempt_at - before).total_seconds() <= 302
    assert not BounceEvent.objects.exists()
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == sorted(o.email for o in others)
    assert run.status == RunStatus.SENDING


def test_an_smtp_server_that_is_down_fails_the_chunk_into_retries_not_the_run(
    org, campaign, settings, django_capture_on_commit_callbacks
):
    from tests.smtp_sink import free_port

    settings.SMTP_HOST, settings.SMTP_PORT = "127.0.0.1", free_port()
    learners = LearnerFactory.create_batch(3, organization=org)

    run = launch(campaign, django_capture_on_commit_callbacks)

    sends = Send.objects.filter(run=run)
    assert {s.status for s in sends} == {SendStatus.DEFERRED}
    assert all(s.last_reply.startswith("Could not connect to 127.0.0.1") for s in sends)
    assert all(s.next_attempt_at > timezone.now() for s in sends)
    assert run.status == RunStatus.SENDING
    assert all(learner.status == DeliverabilityStatus.ACTIVE for learner in learners)


def test_a_learner_suppressed_after_scheduling_is_skipped_at_send_time(org, campaign, smtp_sink):
    learner = LearnerFactory(organization=org)
    run = schedule_run(run=create_run(campaign=campaign))
    learner.status = DeliverabilityStatus.UNSUBSCRIBED
    learner.save()
    send = send_of(learner)

    result = send_chunk(run_id=run.pk, first_id=send.pk, last_id=send.pk)

    send.refresh_from_db()
    run.refresh_from_db()
    assert result.skipped == 1 and smtp_sink.messages == []
    assert (send.status, send.skip_reason) == (SendStatus.SKIPPED, "unsubscribed")
    assert run.left_out == {"unsubscribed": 1}


def test_messages_to_many_learners_share_one_connection_and_chunks_follow_the_chunk_size(
    org, campaign, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.SEND_CHUNK_SIZE = 4
    LearnerFactory.create_batch(10, organization=org)

    run = launch(campaign, django_capture_on_commit_callbacks)

    assert len(smtp_sink.wait_for(10)) == 10
    assert Send.objects.filter(run=run, status=SendStatus.SENT).count() == 10
    assert run.status == RunStatus.DONE
