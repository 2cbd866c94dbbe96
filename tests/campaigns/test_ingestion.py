"""Ingestion from a Maildir: store raw → classify → match → events and policy → mark processed."""

import hashlib
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bounceportal import prepared
from campaigns import bounce_generator as gen
from campaigns.mailboxes import MailboxError
from campaigns.models import BounceEvent, BounceMailbox, InboundMessage, Send, SendStatus
from campaigns.services.ingestion import poll_mailbox_once
from contacts.models import BouncePolicy
from tests.campaigns.conftest import drop, original_of
from tests.factories import BounceMailboxFactory, SendFactory

pytestmark = pytest.mark.django_db

OVER_QUOTA = "452 4.2.2 The email account that you tried to reach is over quota."  # the recipient's side


def files(maildir, sub="new"):
    return sorted(os.listdir(maildir / sub))


def test_hard_bounce_suppresses_the_learner_and_moves_the_message(maildir_mailbox, maildir, send):
    drop(maildir, gen.postfix_dsn(original_of(send)))

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    send.refresh_from_db()
    send.learner.refresh_from_db()
    event = BounceEvent.objects.get()
    assert (result.fetched, result.stored, result.bounces, result.events, result.marked) == (1, 1, 1, 1, 1)
    assert (event.send, event.learner, event.category, event.subtype, event.matched_by) == (
        send,
        send.learner,
        "hard",
        "address_unknown",
        "verp",
    )
    assert event.outcome == "suppressed" and event.is_verified
    assert send.learner.status == "bounced" and send.status == SendStatus.BOUNCED
    assert files(maildir) == [] and len(files(maildir / ".Processed", "cur")) == 1
    message = InboundMessage.objects.get()
    assert message.kind == "dsn" and message.matched_by == "verp" and message.processed_at is not None
    assert bytes(message.raw) == gen.postfix_dsn(original_of(send))


def test_the_same_message_twice_is_stored_and_counted_once(maildir_mailbox, maildir, send):
    raw = gen.exim_text(original_of(send))
    drop(maildir, raw)
    poll_mailbox_once(mailbox=maildir_mailbox)
    drop(maildir, raw)

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    send.learner.refresh_from_db()
    assert (result.fetched, result.stored, result.duplicates, result.marked) == (1, 0, 1, 1)
    assert InboundMessage.objects.count() == 1 and BounceEvent.objects.count() == 1
    assert send.learner.soft_bounce_count == 1
    assert files(maildir) == []


def test_the_same_bytes_in_two_organizations_mailboxes_are_kept_for_each(maildir_mailbox, maildir, other_org):
    other_maildir = maildir.parent / (maildir.name + "-other")
    for sub in ("cur", "new", "tmp"):
        (other_maildir / sub).mkdir(parents=True)
    other_mailbox = BounceMailboxFactory(organization=other_org, protocol="maildir", folder=str(other_maildir))
    raw = b"From: someone@school.example\nTo: bounces@bounces.example\nSubject: Re: training\n\nThanks!\n"
    drop(maildir, raw)
    drop(other_maildir, raw)

    ours = poll_mailbox_once(mailbox=maildir_mailbox)
    theirs = poll_mailbox_once(mailbox=other_mailbox)

    assert (ours.stored, theirs.stored, theirs.duplicates) == (1, 1, 0)
    assert set(InboundMessage.objects.values_list("organization", flat=True)) == {
        maildir_mailbox.organization_id,
        other_org.pk,
    }


def test_soft_bounces_count_toward_the_threshold_and_sender_side_blocks_are_recorded_only(
    maildir_mailbox, maildir, org, send
):
    soft, blocked = [SendFactory(run=send.run, learner__organization=org) for _ in range(2)]
    drop(maildir, gen.exim_text(original_of(send)))
    drop(maildir, gen.postfix_dsn(original_of(soft), status="4.2.2", diagnostic=OVER_QUOTA))
    drop(maildir, gen.build("postfix_block", original_of(blocked)))  # spam filter or blocklist: the sender's

    poll_mailbox_once(mailbox=maildir_mailbox)

    for s, counted in [(send, 1), (soft, 1), (blocked, 0)]:
        s.learner.refresh_from_db()
        assert (s.learner.status, s.learner.soft_bounce_count, s.learner.bounce_count) == ("active", counted, 1)
    assert set(BounceEvent.objects.values_list("category", flat=True)) == {"soft", "block"}


def test_sender_side_blocks_count_when_the_policy_says_so(maildir_mailbox, maildir, org, send):
    BouncePolicy.objects.update_or_create(organization=org, defaults={"sender_side_counts": True})
    drop(maildir, gen.build("postfix_block", original_of(send)))

    poll_mailbox_once(mailbox=maildir_mailbox)

    send.learner.refresh_from_db()
    assert (send.learner.status, send.learner.soft_bounce_count) == ("active", 1)


def test_delayed_dsn_defers_the_send_and_is_no_bounce(maildir_mailbox, maildir, send):
    drop(maildir, gen.delayed_dsn(original_of(send)))

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    send.refresh_from_db()
    send.learner.refresh_from_db()
    assert send.status == SendStatus.DEFERRED and "timed out" in send.last_reply
    assert BounceEvent.objects.count() == 0 and send.learner.soft_bounce_count == 0
    assert (result.deferred, result.events, result.marked) == (1, 0, 1)


def test_a_delay_notice_and_a_delivery_in_one_batch_leave_the_send_delivered_with_the_delay_as_last_reply(
    maildir_mailbox, maildir, send
):
    drop(maildir, gen.delivered_dsn(original_of(send)))
    drop(maildir, gen.delayed_dsn(original_of(send)))

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    send.refresh_from_db()
    assert (result.deferred, result.delivered) == (1, 1)
    assert send.status == SendStatus.DELIVERED and "timed out" in send.last_reply


def test_delivered_dsn_marks_the_send_delivered_and_resets_the_soft_count(maildir_mailbox, maildir, send):
    send.learner.soft_bounce_count = 3
    send.learner.save()
    drop(maildir, gen.delivered_dsn(original_of(send)))

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    send.refresh_from_db()
    send.learner.refresh_from_db()
    assert send.status == SendStatus.DELIVERED and send.delivered_at is not None
    assert send.learner.soft_bounce_count == 0 and BounceEvent.objects.count() == 0
    assert (result.delivered, result.marked) == (1, 1)


def test_auto_reply_flags_the_learner_and_complaint_unsubscribes(maildir_mailbox, maildir, org, send):
    other = SendFactory(run=send.run, learner__organization=org)
    drop(maildir, gen.auto_reply(original_of(send)))
    drop(maildir, gen.arf_complaint(original_of(other)))

    poll_mailbox_once(mailbox=maildir_mailbox)

    send.learner.refresh_from_db()
    other.learner.refresh_from_db()
    assert send.learner.status == "active" and send.learner.auto_replied_at is not None
    assert other.learner.status == "unsubscribed"
    assert set(InboundMessage.objects.values_list("kind", flat=True)) == {"autoreply", "feedback"}


def test_human_reply_is_kept_and_left_unread_in_the_mailbox(maildir_mailbox, maildir, send):
    path = drop(maildir, gen.human_reply(original_of(send)))

    result = poll_mailbox_once(mailbox=maildir_mailbox)
    again = poll_mailbox_once(mailbox=maildir_mailbox)

    message = InboundMessage.objects.get()
    send.learner.refresh_from_db()
    assert message.kind == "not_bounce" and not message.is_bounce and message.events.count() == 0
    assert path.exists() and (result.not_bounces, result.marked) == (1, 0)
    assert (again.stored, again.duplicates) == (0, 1)
    assert send.learner.status == "active" and send.learner.last_bounce_category == ""


def test_unparseable_bytes_are_kept_for_review_and_change_nothing(maildir_mailbox, maildir, send):
    path = drop(maildir, b"\x00\x01\x02 this is not an email at all")

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    message = InboundMessage.objects.get()
    assert message.kind == "unparseable" and message.parse_error
    assert path.exists() and result.unparseable == 1 and BounceEvent.objects.count() == 0


def test_bounce_matching_nobody_is_kept_unmatched(maildir_mailbox, maildir, org):
    stranger = gen.Original(token="NoSuchTokenNoSuchToken00", email="nobody@elsewhere.example")
    drop(maildir, gen.postfix_dsn(stranger))

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    message = InboundMessage.objects.get()
    event = BounceEvent.objects.get()
    assert message.matched_by == "none" and result.unmatched == 1
    assert (event.learner, event.send, event.outcome) == (None, None, "no_learner")
    assert event.address == "nobody@elsewhere.example"


def test_oversized_message_is_stored_truncated_and_flagged(maildir_mailbox, maildir, send, settings):
    settings.INBOUND_MAX_BYTES = 4096
    raw = gen.postfix_dsn(original_of(send)) + b"X" * 10_000
    drop(maildir, raw)

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    message = InboundMessage.objects.get()
    assert message.truncated and message.size == len(raw) and len(bytes(message.raw)) == 4096
    assert "Truncated" in message.parse_error and result.oversized == 1
    assert BounceEvent.objects.get().category == "hard"


def test_dry_run_changes_nothing(maildir_mailbox, maildir, send):
    drop(maildir, gen.postfix_dsn(original_of(send)))

    result = poll_mailbox_once(mailbox=maildir_mailbox, dry_run=True)

    send.learner.refresh_from_db()
    maildir_mailbox.refresh_from_db()
    assert (result.stored, result.events, result.marked) == (1, 1, 0)
    assert InboundMessage.objects.count() == 0 and BounceEvent.objects.count() == 0
    assert send.learner.status == "active" and len(files(maildir)) == 1
    assert maildir_mailbox.last_polled_at is None


def test_poll_records_counts_on_the_mailbox(maildir_mailbox, maildir, send):
    drop(maildir, gen.postfix_dsn(original_of(send)))
    drop(maildir, gen.human_reply(original_of(send)))

    poll_mailbox_once(mailbox=maildir_mailbox)

    maildir_mailbox.refresh_from_db()
    assert (maildir_mailbox.messages_fetched, maildir_mailbox.messages_processed) == (2, 2)
    assert maildir_mailbox.last_polled_at and maildir_mailbox.last_success_at
    assert maildir_mailbox.last_error == "" and maildir_mailbox.consecutive_failures == 0


def test_a_broken_mailbox_records_its_error_and_the_command_polls_the_others(
    org, maildir_mailbox, maildir, send, capsys
):
    broken = BounceMailboxFactory(organization=org, protocol="maildir", folder="/nonexistent/maildir")
    drop(maildir, gen.postfix_dsn(original_of(send)))

    with pytest.raises(CommandError, match="1 mailbox"):
        call_command("poll_bounces")

    broken.refresh_from_db()
    assert "is not a Maildir" in broken.last_error and broken.consecutive_failures == 1
    assert InboundMessage.objects.filter(mailbox=maildir_mailbox).count() == 1
    assert "stored 1" in capsys.readouterr().out


def test_poll_bounces_dry_run_for_one_mailbox(maildir_mailbox, maildir, send, capsys):
    drop(maildir, gen.postfix_dsn(original_of(send)))

    call_command("poll_bounces", "--mailbox", str(maildir_mailbox.pk), "--dry-run")

    out = capsys.readouterr().out
    assert "[dry run]" in out and "would store 1" in out
    assert InboundMessage.objects.count() == 0


def test_poll_raises_mailbox_error_for_a_missing_maildir(org):
    mailbox = BounceMailboxFactory(organization=org, protocol="maildir", folder="/nonexistent/maildir")

    with pytest.raises(MailboxError):
        poll_mailbox_once(mailbox=mailbox)

    assert BounceMailbox.objects.get(pk=mailbox.pk).last_error_at is not None


def test_a_symlink_in_the_maildir_is_never_read(maildir_mailbox, maildir, send, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Subject: not mail\n\nroot:password\n")
    (maildir / "new" / "1700000000.link.test").symlink_to(secret)
    drop(maildir, gen.postfix_dsn(original_of(send)))

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    assert result.fetched == 1 and InboundMessage.objects.count() == 1
    assert b"root:password" not in bytes(InboundMessage.objects.get().raw)


def test_nul_bytes_in_a_bounce_neither_break_the_batch_nor_get_lost(maildir_mailbox, maildir, org, send):
    other = SendFactory(run=send.run, learner__organization=org)
    nasty = gen.postfix_dsn(original_of(send), diagnostic="550 5.1.1 user\x00 unknown").replace(
        b"Subject: Undelivered", b"Subject: Und\x00elivered"
    )
    drop(maildir, nasty)
    drop(maildir, gen.postfix_dsn(original_of(other)))

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    assert (result.stored, result.events) == (2, 2)
    stored = InboundMessage.objects.get(digest=hashlib.sha256(nasty).hexdigest())
    assert bytes(stored.raw) == nasty and "\x00" not in stored.subject
    assert "\x00" not in BounceEvent.objects.get(send=send).diagnostic


def test_a_message_the_database_refuses_is_kept_raw_and_the_rest_of_the_batch_goes_on(
    maildir_mailbox, maildir, org, send, monkeypatch
):
    from campaigns.services import ingestion

    other = SendFactory(run=send.run, learner__organization=org)
    poison = gen.postfix_dsn(original_of(send))
    drop(maildir, poison)
    drop(maildir, gen.postfix_dsn(original_of(other)))
    real_plan = ingestion.plan_message

    def plan_that_breaks_on_the_poison(row, item, *args):
        matched_by = real_plan(row, item, *args)
        if item.raw == poison:
            row.subject = None  # a NOT NULL column: the database refuses the row
        return matched_by

    monkeypatch.setattr(ingestion, "plan_message", plan_that_breaks_on_the_poison)

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    kept = InboundMessage.objects.get(digest=hashlib.sha256(poison).hexdigest())
    other.learner.refresh_from_db()
    assert result.stored == 2 and other.learner.status == "bounced"
    assert kept.kind == "unparseable" and "could not be processed" in kept.parse_error
    assert bytes(kept.raw) == poison and kept.events.count() == 0
    assert [(maildir / "new" / name).read_bytes() for name in files(maildir)] == [poison]


def test_a_header_that_decodes_to_a_lone_surrogate_is_stored_and_the_batch_goes_on(maildir_mailbox, maildir, send):
    """A declared charset such as unicode_escape can decode to text the database cannot store
    (a lone surrogate): the message is kept with what could be read, and the rest of the batch too."""
    poison = (
        b"From: mailer-daemon@x.example\r\nTo: bounces@b.example\r\n"
        b"Subject: =?unicode_escape?Q?Undeliverable=E9=5Cud800?=\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=unicode_escape\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"Delivery failed \xe9 \\ud800 550 5.1.1 <someone@b.example>: User unknown\r\n"
    )
    drop(maildir, poison, name="1-poison")
    drop(maildir, gen.postfix_dsn(original_of(send)), name="2-good")

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    assert (result.fetched, result.stored) == (2, 2)
    stored = InboundMessage.objects.get(digest=hashlib.sha256(poison).hexdigest())
    assert bytes(stored.raw) == poison and "\ufffd" in stored.subject
    assert BounceEvent.objects.filter(send=send).exists()


def _poll_capturing(mailbox):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = poll_mailbox_once(mailbox=mailbox)
    return result, [q["sql"] for q in captured.captured_queries]


@pytest.mark.postgres  # events are inserted with their outcomes where ids can be drawn first (reserve_ids)
def test_a_batch_costs_the_same_statements_for_more_messages_and_writes_each_event_once(maildir_mailbox, maildir, send):
    kinds = (gen.postfix_dsn, gen.delivered_dsn, gen.delayed_dsn, gen.auto_reply)

    def deliver(copies):
        for make in kinds:
            for _ in range(copies):
                drop(maildir, make(original_of(SendFactory(run=send.run, status=SendStatus.SENT))))

    deliver(2)
    few, few_sql = _poll_capturing(maildir_mailbox)
    deliver(6)
    many, many_sql = _poll_capturing(maildir_mailbox)

    assert (few.stored, few.delivered, few.deferred, many.stored, many.delivered, many.deferred) == (8, 2, 2, 24, 6, 6)
    assert len(many_sql) == len(few_sql)
    assert not [sql for sql in many_sql if sql.startswith('UPDATE "campaigns_bounceevent"')]
    assert BounceEvent.objects.filter(applied_at__isnull=True).count() == 0
    assert BounceEvent.objects.filter(outcome="").count() == 0


@pytest.mark.postgres  # the sends' moves are one statement where they are written as raw SQL
def test_a_batch_locks_its_learners_once_and_moves_its_sends_in_three_statements(maildir_mailbox, maildir, send):
    for make in (gen.postfix_dsn, gen.delivered_dsn, gen.delayed_dsn, gen.auto_reply):
        for _ in range(2):
            drop(maildir, make(original_of(SendFactory(run=send.run, status=SendStatus.SENT))))
    prepared._SESSIONS.pop(connection.connection, None)  # as on a new session: each prepared text is sent

    result, statements = _poll_capturing(maildir_mailbox)

    assert (result.stored, result.delivered, result.deferred) == (8, 2, 2)
    locks = [sql for sql in statements if "FOR UPDATE" in sql and '"contacts_learner"' in sql]
    send_updates = [sql for sql in statements if 'UPDATE "campaigns_send"' in sql]
    assert len(locks) == 1, locks
    assert len(send_updates) == 3, send_updates  # bounced and auto-replied together, deferred, delivered
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1  # the batch's own, in the test's transaction
    moved = Send.objects.filter(run=send.run).exclude(pk=send.pk).values_list("status", flat=True)
    assert sorted(moved) == ["bounced"] * 2 + ["deferred"] * 2 + ["delivered"] * 4


@pytest.mark.parametrize("shared", [False, True], ids=["one poller", "claims shared through Redis"])
def test_a_batch_closes_early_once_its_bytes_reach_the_cap(
    maildir_mailbox, maildir, send, settings, batch_sizes, shared
):
    if shared and not settings.REDIS_URL:
        pytest.skip("the shared poll needs REDIS_URL")
    settings.REDIS_URL = settings.REDIS_URL if shared else ""
    messages = [gen.postfix_dsn(original_of(SendFactory(run=send.run, status=SendStatus.SENT))) for _ in range(3)]
    for n, raw in enumerate(messages):
        drop(maildir, raw, name=f"{n}-bounce")
    settings.INBOUND_BATCH_MAX_BYTES = len(messages[0]) * 3 // 2  # the second message takes a batch past it

    result = poll_mailbox_once(mailbox=maildir_mailbox)

    assert batch_sizes == [2, 1]
    assert (result.fetched, result.stored, result.marked) == (3, 3, 3)
    assert files(maildir) == []
