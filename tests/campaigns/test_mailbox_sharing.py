"""Ingestion that scales out: pollers share one big mailbox by claiming ranges of it, and an IMAP
mailbox's polls list only mail above the highest UID processed under the folder's UIDVALIDITY.

Real Dovecot, Redis and PostgreSQL; the pollers are threads with their own database connections.
"""

import os
import threading
import time

import pytest
from django.db import connection
from imapclient import IMAPClient

from campaigns import bounce_generator as gen
from campaigns.models import BounceEvent, BounceMailbox, InboundMessage
from campaigns.services import ingestion, mailbox_claims
from campaigns.services.ingestion import poll_mailbox_once
from campaigns.services.locks import redis_client
from campaigns.services.mailbox_claims import ClaimBoard
from contacts.models import Learner
from tests.campaigns.conftest import drop, imap_mailbox, original_of
from tests.factories import BounceMailboxFactory, CampaignRunFactory, SendFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]

MESSAGES = 120


@pytest.fixture(autouse=True)
def _no_claims_of_earlier_runs():
    """Mailbox ids restart with each test database: claims and locks left by an earlier run must go."""
    client = redis_client(os.environ["REDIS_URL"])
    for key in client.scan_iter(match="bounceportal:mailbox-*"):
        client.delete(key)


@pytest.fixture
def shared(settings):
    """Polls share mailboxes (Redis) in batches of ten."""
    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.INBOUND_BATCH_SIZE = 10


def hard_bounces(org, count=MESSAGES):
    run = CampaignRunFactory(campaign__organization=org)
    sends = [SendFactory(run=run, learner__organization=org) for _ in range(count)]
    return sends, [gen.postfix_dsn(original_of(send)) for send in sends]


def imap(dovecot, account) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False, timeout=10)
    client.login(account.username, account.password)
    return client


def append(dovecot, account, messages, folder="INBOX") -> None:
    with imap(dovecot, account) as client:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        for raw in messages:
            client.append(folder, raw)


def folder_count(dovecot, account, folder) -> int:
    with imap(dovecot, account) as client:
        if not client.folder_exists(folder):
            return 0
        return client.select_folder(folder, readonly=True)[b"EXISTS"]


def poll_at_once(mailbox_id: int, monkeypatch, pollers: int = 2) -> tuple[list, list[int]]:
    """Run ``pollers`` polls of the mailbox at the same moment; each pauses a little after every fetch
    so that they overlap. Returns their results and how often each asked for helpers."""
    start = threading.Barrier(pollers)
    results: list = [None] * pollers
    asked = [0] * pollers
    monkeypatch.setattr(ingestion, "checkpoint", lambda name: time.sleep(0.05) if name == "after_fetch" else None)

    def poll(index):
        try:
            mailbox = BounceMailbox.objects.get(pk=mailbox_id)
            start.wait(10)
            results[index] = poll_mailbox_once(
                mailbox=mailbox, on_backlog=lambda: asked.__setitem__(index, asked[index] + 1)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=poll, args=(i,)) for i in range(pollers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results, asked


def assert_each_bounce_applied_once(org, sends):
    assert InboundMessage.objects.filter(organization=org).count() == len(sends)
    assert BounceEvent.objects.filter(organization=org).count() == len(sends)
    counts = set(Learner.objects.filter(pk__in=[s.learner_id for s in sends]).values_list("bounce_count", "status"))
    assert counts == {(1, "bounced")}


def test_two_pollers_share_one_big_imap_mailbox_and_fetch_each_message_once(
    org, dovecot, imap_account, shared, monkeypatch
):
    sends, messages = hard_bounces(org)
    append(dovecot, imap_account, messages)
    mailbox = imap_mailbox(org, dovecot, imap_account)

    results, asked = poll_at_once(mailbox.pk, monkeypatch)

    assert all(r.fetched > 0 for r in results), results  # both did part of the work
    assert sum(r.fetched for r in results) == MESSAGES  # and no message was fetched twice
    assert sum(r.stored for r in results) == MESSAGES and sum(r.marked for r in results) == MESSAGES
    assert asked == [1, 1]  # 120 messages are more than five batches of ten: each asked for helpers
    assert_each_bounce_applied_once(org, sends)
    assert folder_count(dovecot, imap_account, "INBOX") == 0
    assert folder_count(dovecot, imap_account, "Processed") == MESSAGES


def test_two_pollers_share_one_big_maildir_and_read_each_message_once(org, maildir, shared, monkeypatch):
    sends, messages = hard_bounces(org)
    for raw in messages:
        drop(maildir, raw)
    mailbox = BounceMailboxFactory(organization=org, protocol="maildir", folder=str(maildir))

    results, _asked = poll_at_once(mailbox.pk, monkeypatch)

    assert all(r.fetched > 0 for r in results), results
    assert sum(r.fetched for r in results) == MESSAGES
    assert_each_bounce_applied_once(org, sends)
    assert os.listdir(maildir / "new") == [] and len(os.listdir(maildir / ".Processed" / "cur")) == MESSAGES


@pytest.mark.parametrize("with_redis", [True, False], ids=["shared", "single"])
def test_an_unchanged_leave_in_place_imap_mailbox_fetches_nothing_on_the_second_poll(
    org, dovecot, imap_account, settings, with_redis
):
    settings.REDIS_URL = os.environ["REDIS_URL"] if with_redis else ""
    settings.INBOUND_BATCH_SIZE = 2
    sends, messages = hard_bounces(org, 6)
    append(dovecot, imap_account, messages[:5])
    mailbox = imap_mailbox(org, dovecot, imap_account, processed_action="leave")

    first = poll_mailbox_once(mailbox=mailbox)
    second = poll_mailbox_once(mailbox=BounceMailbox.objects.get(pk=mailbox.pk))
    append(dovecot, imap_account, messages[5:])
    third = poll_mailbox_once(mailbox=BounceMailbox.objects.get(pk=mailbox.pk))

    mailbox.refresh_from_db()
    assert (first.fetched, first.stored) == (5, 5)
    assert (second.fetched, second.stored, second.duplicates) == (0, 0, 0)
    assert (third.fetched, third.stored, third.duplicates) == (1, 1, 0)
    assert mailbox.imap_last_uid == 6 and mailbox.imap_uidvalidity
    assert folder_count(dovecot, imap_account, "INBOX") == 6
    assert_each_bounce_applied_once(org, sends)


@pytest.mark.parametrize("with_redis", [True, False], ids=["shared", "single"])
def test_a_uidvalidity_change_loses_nothing_and_counts_nothing_twice(org, dovecot, imap_account, settings, with_redis):
    settings.REDIS_URL = os.environ["REDIS_URL"] if with_redis else ""
    sends, messages = hard_bounces(org, 5)
    old, new = messages[:3], messages[3:]
    append(dovecot, imap_account, old, folder="Bounces")
    mailbox = imap_mailbox(org, dovecot, imap_account, processed_action="leave")
    mailbox.folder = "Bounces"
    mailbox.save()
    poll_mailbox_once(mailbox=mailbox)
    mailbox.refresh_from_db()
    validity_before, mark_before = mailbox.imap_uidvalidity, mailbox.imap_last_uid
    # The folder is recreated (the server renumbers): the new mail gets UIDs 1-2, below the old mark 3.
    with imap(dovecot, imap_account) as client:
        client.rename_folder("Bounces", "Bounces-old")
    append(dovecot, imap_account, [*new, *old], folder="Bounces")

    again = poll_mailbox_once(mailbox=BounceMailbox.objects.get(pk=mailbox.pk))

    mailbox.refresh_from_db()
    assert mark_before == 3 and mailbox.imap_uidvalidity != validity_before
    assert (again.fetched, again.stored, again.duplicates) == (5, 2, 3)
    assert mailbox.imap_last_uid == 5
    assert_each_bounce_applied_once(org, sends)


def test_a_changed_folder_forgets_the_processed_uid_mark(org, dovecot, imap_account, admin_member):
    from campaigns.services.mailboxes import save_bounce_mailbox

    mailbox = imap_mailbox(org, dovecot, imap_account)
    BounceMailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=7, imap_last_uid=40)
    mailbox.refresh_from_db()
    mailbox.folder = "Other"

    save_bounce_mailbox(mailbox=mailbox, changed_by=admin_member.user, via="portal")

    mailbox.refresh_from_db()
    assert (mailbox.imap_uidvalidity, mailbox.imap_last_uid) == (None, 0)


def test_a_range_a_dead_poller_claimed_is_taken_over_when_its_lease_runs_out(settings):
    client = redis_client(os.environ["REDIS_URL"])
    refs = list(range(1, 8))
    dead = ClaimBoard(client, 990_001, validity=1, lease=0.2)
    alive = ClaimBoard(client, 990_001, validity=1)

    abandoned = dead.claim(refs, 3, int)
    next_range = alive.claim(refs, 3, int)
    time.sleep(0.3)
    taken_over = alive.claim(refs, 3, int)
    alive.release(taken_over)
    alive.release(next_range)
    last = alive.claim(refs, 3, int)
    done_through = alive.release(last)

    assert (abandoned.refs, next_range.refs, taken_over.refs, last.refs) == ([1, 2, 3], [4, 5, 6], [1, 2, 3], [7])
    assert done_through == 7
    assert alive.claim(refs, 3, int) is None and client.hget(alive.key, "ended")  # the round is over
    assert dead.claim(refs, 3, int) is None  # the dead poller's round ended: its listing is stale
    assert ClaimBoard(client, 990_001, validity=1).claim(refs, 3, int).refs == [1, 2, 3]  # the next poll: a new round


def test_a_poller_waits_only_so_long_for_the_mailbox_lock(settings, monkeypatch):
    client = redis_client(os.environ["REDIS_URL"])
    monkeypatch.setattr(mailbox_claims, "CLAIM_WAIT_SECONDS", 0.2)
    board = ClaimBoard(client, 990_002)
    held = client.lock(board.lock_key, timeout=5)
    held.acquire()
    try:
        with pytest.raises(mailbox_claims.MailboxBusy):
            board.claim([1, 2], 1, int)
    finally:
        held.release()


def _counting_moves(monkeypatch) -> list[str]:
    """Record the UID set of every UID MOVE the pollers send."""
    moves: list[str] = []
    real_move = IMAPClient.move

    def move(self, messages, folder):
        moves.append(messages)
        return real_move(self, messages, folder)

    monkeypatch.setattr(IMAPClient, "move", move)
    return moves


@pytest.mark.parametrize("with_redis", [True, False], ids=["shared", "single"])
def test_an_imap_poll_marks_what_it_committed_in_one_move_and_leaves_human_replies(
    org, dovecot, imap_account, settings, with_redis, monkeypatch
):
    """Dovecot's UID MOVE costs in proportion to the folder per command: 12 batches, one MOVE. The
    UID set runs over consecutive UIDs only, so the human reply between the bounces stays."""
    settings.REDIS_URL = os.environ["REDIS_URL"] if with_redis else ""
    settings.INBOUND_BATCH_SIZE = 10
    sends, messages = hard_bounces(org)
    reply = gen.human_reply(original_of(sends[0]))
    append(dovecot, imap_account, messages[:60] + [reply] + messages[60:])
    mailbox = imap_mailbox(org, dovecot, imap_account)
    moves = _counting_moves(monkeypatch)

    result = poll_mailbox_once(mailbox=mailbox)

    mailbox.refresh_from_db()
    assert (result.fetched, result.stored, result.marked) == (MESSAGES + 1, MESSAGES + 1, MESSAGES)
    assert moves == ["1:60,62:121"]
    assert folder_count(dovecot, imap_account, "INBOX") == 1  # the reply, for a person
    assert folder_count(dovecot, imap_account, "Processed") == MESSAGES
    assert mailbox.imap_last_uid == 121
    assert_each_bounce_applied_once_but_the_reply(org, sends)
    if with_redis:  # the claims went with the MOVE and the round is over: the next poll lists afresh
        state = redis_client(settings.REDIS_URL).hgetall(f"bounceportal:mailbox-claims:{mailbox.pk}")
        assert b"ended" in state and not [name for name in state if name.startswith(b"claim:")], state


def test_a_long_imap_poll_marks_as_it_goes(org, dovecot, imap_account, shared, monkeypatch):
    """Committed messages wait at most MARK_SECONDS to be marked (here none: every batch is marked)."""
    monkeypatch.setattr(ingestion, "MARK_SECONDS", 0.0)
    _sends, messages = hard_bounces(org, 30)
    append(dovecot, imap_account, messages)
    mailbox = imap_mailbox(org, dovecot, imap_account)
    moves = _counting_moves(monkeypatch)

    result = poll_mailbox_once(mailbox=mailbox)

    assert (result.stored, result.marked) == (30, 30)
    assert moves == ["1:10", "11:20", "21:30"]
    assert folder_count(dovecot, imap_account, "Processed") == 30


def assert_each_bounce_applied_once_but_the_reply(org, sends):
    assert InboundMessage.objects.filter(organization=org).count() == len(sends) + 1
    assert BounceEvent.objects.filter(organization=org).count() == len(sends)
