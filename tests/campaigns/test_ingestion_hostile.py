"""Hostile mail in a bounce mailbox (issue #13): no poison message, nothing dropped, nothing counted twice."""

import hashlib

import pytest

from bounceportal import classifier
from campaigns import bounce_generator as gen
from campaigns.models import BounceEvent, InboundMessage
from campaigns.services import ingestion, ingestion_rows
from campaigns.services.digests import content_digest
from campaigns.services.ingestion import poll_mailbox_once
from campaigns.services.matching import top_headers
from tests.campaigns.conftest import drop, original_of
from tests.factories import SendFactory

pytestmark = pytest.mark.django_db


def report_id_of(headers) -> str:
    return headers.get("message-id", [""])[0]


def stored(raw: bytes) -> InboundMessage:
    return InboundMessage.objects.get(digest=hashlib.sha256(raw).hexdigest())


def left_in(maildir) -> list[bytes]:
    return sorted(path.read_bytes() for path in (maildir / "new").iterdir())


@pytest.fixture
def two_bounces(org, send):
    other = SendFactory(run=send.run, learner__organization=org)
    return gen.postfix_dsn(original_of(send)), gen.postfix_dsn(original_of(other)), other


def test_a_message_the_classifier_breaks_on_is_kept_raw_with_its_error_and_the_batch_goes_on(
    maildir_mailbox, maildir, two_bounces, monkeypatch
):
    poison, good, other = two_bounces
    real_classify = classifier.classify

    def classify_that_breaks(raw, **kwargs):
        if raw == poison:
            raise RecursionError("maximum recursion depth exceeded")
        return real_classify(raw, **kwargs)

    monkeypatch.setattr(classifier, "classify", classify_that_breaks)
    drop(maildir, poison)
    drop(maildir, good)

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    other.learner.refresh_from_db()
    kept = stored(poison)
    assert (result.stored, result.unparseable) == (2, 1) and other.learner.status == "bounced"
    assert kept.kind == "unparseable" and "RecursionError" in kept.parse_error and bytes(kept.raw) == poison
    assert left_in(maildir) == [poison]


def test_a_message_that_breaks_matching_or_planning_is_kept_for_review(
    maildir_mailbox, maildir, two_bounces, monkeypatch
):
    poison, good, other = two_bounces
    real_plan = ingestion.plan_message

    def plan_that_breaks(row, item, *args):
        if item.raw == poison:
            raise ValueError("no such time zone")
        return real_plan(row, item, *args)

    monkeypatch.setattr(ingestion, "plan_message", plan_that_breaks)
    drop(maildir, poison)
    drop(maildir, good)

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    other.learner.refresh_from_db()
    assert result.stored == 2 and other.learner.status == "bounced"
    assert stored(poison).kind == "unparseable" and "ValueError: no such time zone" in stored(poison).parse_error


def test_text_the_database_driver_cannot_encode_is_kept_for_review_not_a_stopped_mailbox(
    maildir_mailbox, maildir, two_bounces, monkeypatch
):
    """The way finding 1 stopped a mailbox: a lone surrogate reaching the driver raises
    UnicodeEncodeError, which is no DatabaseError."""
    poison, good, other = two_bounces
    real_header_text = ingestion_rows.header_text
    poison_id = report_id_of(top_headers(poison))

    def header_text_unclean(headers, name, limit):
        text = real_header_text(headers, name, limit)
        poisoned = name == "subject" and report_id_of(headers) == poison_id
        return text + "\ud800" if poisoned else text

    monkeypatch.setattr(ingestion_rows, "header_text", header_text_unclean)
    drop(maildir, poison)
    drop(maildir, good)

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    other.learner.refresh_from_db()
    assert (result.stored, result.unparseable) == (2, 1) and other.learner.status == "bounced"
    assert "UnicodeEncodeError" in stored(poison).parse_error and bytes(stored(poison).raw) == poison


def test_a_message_over_its_time_budget_is_kept_as_too_complex_and_never_read_again(
    maildir_mailbox, maildir, send, settings, monkeypatch
):
    raw = gen.postfix_dsn(original_of(send))
    drop(maildir, raw)
    settings.INBOUND_CLASSIFY_SECONDS = 0

    first = poll_mailbox_once(mailbox=maildir_mailbox)
    calls = []
    monkeypatch.setattr(classifier, "classify", lambda *args, **kwargs: calls.append(args))
    second = poll_mailbox_once(mailbox=maildir_mailbox)

    kept = stored(raw)
    assert kept.kind == "too_complex" and kept.parse_error.startswith("too complex")
    assert kept.events.count() == 0 and left_in(maildir) == [raw]
    assert (first.unparseable, second.duplicates, second.stored, calls) == (1, 1, 0, [])


def test_a_human_reply_left_in_the_mailbox_is_not_classified_again_on_the_next_poll(
    maildir_mailbox, maildir, send, monkeypatch
):
    reply = gen.human_reply(original_of(send))
    drop(maildir, reply)
    poll_mailbox_once(mailbox=maildir_mailbox)
    calls = []
    real_classify = classifier.classify
    monkeypatch.setattr(classifier, "classify", lambda raw, **kw: calls.append(raw) or real_classify(raw, **kw))

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    assert (result.duplicates, result.marked, calls) == (1, 0, [])
    assert left_in(maildir) == [reply] and stored(reply).kind == "not_bounce"


def multi_recipient_dsn(sends) -> bytes:
    groups = "".join(
        f"Final-Recipient: rfc822; {s.email}\nAction: failed\nStatus: 5.1.1\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{s.email}>: User unknown\n\n"
        for s in sends
    )
    return (
        "From: MAILER-DAEMON@mx.example.org\nTo: bounces@bounces.example\nSubject: Undelivered Mail\n"
        "Message-ID: <many.1@mx.example.org>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\n\n'
        "--BB\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        "--BB\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        f"{groups}--BB--\n"
    ).encode()


def test_every_recipient_of_a_150_recipient_bounce_becomes_an_event(maildir_mailbox, maildir, org, send):
    sends = [send] + SendFactory.create_batch(149, run=send.run, learner__organization=org)
    drop(maildir, multi_recipient_dsn(sends))

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    assert result.events == 150
    assert set(BounceEvent.objects.values_list("send_id", flat=True)) == {s.pk for s in sends}
    assert sorted(BounceEvent.objects.values_list("recipient_index", flat=True)) == list(range(150))


def mailbox_full(send) -> bytes:
    """A soft bounce of the learner's side (counted toward the threshold, whatever the policy's sender-side option)."""
    return gen.postfix_dsn(original_of(send), status="5.2.2", diagnostic="552 5.2.2 Mailbox full: user is over quota")


def relayed_again(raw: bytes) -> bytes:
    """The same message as another relay delivers it: one more Received header, a new
    Delivered-To and DKIM signature, CRLF line ends and a header folded differently."""
    head, _, body = raw.partition(b"\n\n")
    head = head.replace(b"\nSubject: ", b"\nSubject:\n ", 1)
    extra = (
        b"Received: from relay2.example.net (relay2.example.net [198.51.100.7])\n\tby mx.bounces.example; "
        b"Wed, 2 Dec 2026 04:00:00 +0000\nDelivered-To: bounces@bounces.example\n"
        b"DKIM-Signature: v=1; a=rsa-sha256; d=example.net; s=s1; b=AAAA\n"
    )
    return (extra + head + b"\n\n" + body).replace(b"\n", b"\r\n")


def test_a_soft_bounce_delivered_again_by_another_relay_is_stored_and_counted_once(maildir_mailbox, maildir, send):
    raw = mailbox_full(send)
    drop(maildir, raw)
    poll_mailbox_once(mailbox=maildir_mailbox)
    drop(maildir, relayed_again(raw))

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    send.learner.refresh_from_db()
    assert (result.stored, result.duplicates, result.marked) == (0, 1, 1)
    assert InboundMessage.objects.count() == 1 and BounceEvent.objects.count() == 1
    assert send.learner.soft_bounce_count == 1 and left_in(maildir) == []


def test_the_same_report_changed_by_a_relay_in_its_content_yields_no_second_event(maildir_mailbox, maildir, send):
    """A relay that adds a header of its own (or a footer) changes the content digest; the
    report's own Message-ID, recipient and status still say it was counted."""
    raw = mailbox_full(send)
    drop(maildir, raw)
    drop(maildir, b"X-Relay-Scanned: clean by relay2.example.net\n" + raw)

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    send.learner.refresh_from_db()
    assert (result.stored, result.events) == (2, 1)
    assert BounceEvent.objects.count() == 1 and send.learner.soft_bounce_count == 1


def test_two_reports_about_two_failures_of_one_send_both_count(maildir_mailbox, maildir, send):
    first = mailbox_full(send)
    second = first.replace(b"Message-Id: <", b"Message-Id: <retry.", 1)
    drop(maildir, first)
    drop(maildir, second)

    poll_mailbox_once(mailbox=maildir_mailbox)

    send.learner.refresh_from_db()
    assert BounceEvent.objects.count() == 2 and send.learner.soft_bounce_count == 2


def test_content_digest_ignores_transport_headers_folding_and_line_ends():
    raw = gen.postfix_dsn(gen.Original(token="T" * 22, email="a@b.example"))

    assert content_digest(relayed_again(raw)) == content_digest(raw)
    assert content_digest(raw.replace(b"5.1.1", b"5.1.2")) != content_digest(raw)
