"""A crash at any point loses nothing and double-counts nothing (DESIGN §4).

The SIGKILL test runs ``manage.py poll_bounces`` in child processes that kill themselves at a
checkpoint of the ingestion service (``ingestion.checkpoint``, replaced in the child by
tests/crash_poll.py): after a batch is fetched, after the raw messages are inserted, inside
the transaction after the policy ran, and after commit before the mailbox is marked. Which
checkpoints, which batch and which mailbox protocol come from a random seed, printed with
the test's output; ``BOUNCEPORTAL_CRASH_SEED=N`` replays a failure. After each crash the
learners, sends and events show exactly the effects of the messages stored (a batch commits
whole or not at all); after a poll to completion there is exactly one stored message per
distinct mailbox message, exactly the expected events and counters, and only the human reply
still in the inbox.
"""

import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from campaigns import bounce_generator as gen
from campaigns.mailboxes import Fetched
from campaigns.models import BounceEvent, InboundMessage, Send, SendStatus
from campaigns.services.ingestion import poll_mailbox_once
from campaigns.services.locks import mailbox_poll_lock
from tests.campaigns.conftest import drop, imap_mailbox, original_of
from tests.factories import BounceMailboxFactory, CampaignRunFactory, LearnerFactory, SendFactory
from tests.subprocesses import child_env, manage_killed_at, start_manage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CHECKPOINTS = ["after_fetch", "after_store", "in_transaction", "after_commit"]

OVER_QUOTA = "452 4.2.2 The email account that you tried to reach is over quota."  # the recipient's side


def mailbox_with_bounces(org, maildir: Path):
    """Nine files (eight distinct messages) of every kind; returns the mailbox and the cast."""
    runs = [CampaignRunFactory(campaign__organization=org) for _ in range(3)]
    cast = {name: LearnerFactory(organization=org) for name in ("soft", "hard", "auto", "late", "human", "fbl")}
    softs = [SendFactory(run=run, learner=cast["soft"]) for run in runs]
    sends = {name: SendFactory(run=runs[0], learner=cast[name]) for name in cast if name != "soft"}
    messages = [
        gen.exim_text(original_of(softs[0])),
        gen.postfix_dsn(original_of(softs[1]), status="4.2.2", diagnostic=OVER_QUOTA),
        gen.build("postfix_block", original_of(softs[2])),
        gen.postfix_dsn(original_of(sends["hard"])),
        gen.auto_reply(original_of(sends["auto"])),
        gen.delayed_dsn(original_of(sends["late"])),
        gen.human_reply(original_of(sends["human"])),
        gen.arf_complaint(original_of(sends["fbl"])),
    ]
    sends["soft_block"] = softs[2]  # a blocklist block: recorded, not counted (the sender's side)
    for raw in messages:
        drop(maildir, raw)
    drop(maildir, messages[3])  # the same bounce delivered twice
    return BounceMailboxFactory(organization=org, protocol="maildir", folder=str(maildir)), cast, sends


def assert_everything_counted_once(mailbox, maildir: Path, cast, sends):
    for learner in cast.values():
        learner.refresh_from_db()
    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 8
    assert BounceEvent.objects.filter(organization=mailbox.organization).count() == 6
    # Three bounces recorded once each; the blocklist block is the sender's, so it does not count (DESIGN §3).
    assert (cast["soft"].soft_bounce_count, cast["soft"].bounce_count, cast["soft"].status) == (2, 3, "active")
    assert cast["hard"].status == "bounced" and cast["hard"].bounce_count == 1
    assert cast["auto"].auto_replied_at is not None and cast["auto"].status == "active"
    assert cast["fbl"].status == "unsubscribed"
    assert type(sends["late"]).objects.get(pk=sends["late"].pk).status == SendStatus.DEFERRED
    left = [maildir / sub / name for sub in ("new", "cur") for name in os.listdir(maildir / sub)]
    assert len(left) == 1 and b"which room" in left[0].read_bytes()
    processed = maildir / ".Processed"
    assert len(os.listdir(processed / "cur")) + len(os.listdir(processed / "new")) == 8


SEED_ENV = "BOUNCEPORTAL_CRASH_SEED"


def crash_plan(seed: int) -> tuple[str, list[str]]:
    """The mailbox protocol and three ``checkpoint:N`` kills the seed picks (N: the Nth time it is reached)."""
    rng = random.Random(seed)
    protocol = rng.choice(["maildir", "imap"])
    return protocol, [f"{rng.choice(CHECKPOINTS)}:{rng.randint(1, 3)}" for _ in range(3)]


def imap_mailbox_with_bounces(org, request):
    """The same nine files delivered into a Dovecot account, read over IMAP."""
    dovecot = request.getfixturevalue("dovecot")
    account = dovecot.new_account()
    maildir = account.maildir  # Dovecot's own Maildir for the account: we deliver like an MTA
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    _, cast, sends = mailbox_with_bounces(org, maildir)
    subprocess.run(["chown", "-R", "mail:mail", str(maildir)], check=True)
    return imap_mailbox(org, dovecot, account), maildir, cast, sends


def assert_effects_are_those_of_the_stored_messages(mailbox, cast, sends):
    """Every stored message has all its effects and nothing else has any: no half-applied batch."""
    stored = [bytes(raw) for raw in InboundMessage.objects.filter(mailbox=mailbox).values_list("raw", flat=True)]

    def is_stored(send) -> bool:
        return any(send.token.encode() in raw for raw in stored)

    softs = Send.objects.filter(learner=cast["soft"])
    soft_stored = sum(is_stored(send) for send in softs)
    for learner in cast.values():
        learner.refresh_from_db()
    soft_counted = soft_stored - is_stored(sends["soft_block"])
    assert (cast["soft"].soft_bounce_count, cast["soft"].bounce_count) == (soft_counted, soft_stored)
    assert (cast["hard"].status == "bounced") == is_stored(sends["hard"])
    assert (cast["auto"].auto_replied_at is not None) == is_stored(sends["auto"])
    assert (cast["fbl"].status == "unsubscribed") == is_stored(sends["fbl"])
    late = Send.objects.get(pk=sends["late"].pk)
    assert (late.status == SendStatus.DEFERRED) == is_stored(sends["late"])
    expected_events = soft_stored + sum(is_stored(sends[name]) for name in ("hard", "auto", "fbl"))
    assert BounceEvent.objects.filter(organization=mailbox.organization).count() == expected_events


@pytest.mark.postgres  # child processes on the test database
@pytest.mark.dovecot  # when the seed picks IMAP
def test_polling_survives_sigkill_at_random_checkpoints(org, maildir, request):
    seed = int(os.environ.get(SEED_ENV) or random.SystemRandom().randrange(1_000_000))
    protocol, crashes = crash_plan(seed)
    print(f"crash plan: seed={seed} protocol={protocol} kills at {crashes} (replay with {SEED_ENV}={seed})")
    if protocol == "imap":
        mailbox, maildir, cast, sends = imap_mailbox_with_bounces(org, request)
    else:
        mailbox, cast, sends = mailbox_with_bounces(org, maildir)
    env = child_env(INBOUND_BATCH_SIZE=3)

    killed = []
    for crash_at in crashes:
        run = manage_killed_at(crash_at, "poll_bounces", "--mailbox", str(mailbox.pk), env=env)
        assert run.returncode in (0, -signal.SIGKILL), run.stderr
        killed.append(run.returncode == -signal.SIGKILL)
        print(f"  {crash_at}: {'killed' if killed[-1] else 'finished'}")
        assert_effects_are_those_of_the_stored_messages(mailbox, cast, sends)
    poll_mailbox_once(mailbox=mailbox)  # the poll after the restart

    assert killed[0], "the first poll reaches every checkpoint three times: it must have been killed"
    assert_everything_counted_once(mailbox, maildir, cast, sends)


@pytest.mark.postgres  # child processes on the test database, concurrent inserts
def test_two_pollers_at_once_store_and_count_everything_once(org, maildir):
    mailbox, cast, sends = mailbox_with_bounces(org, maildir)

    # No Redis lock here on purpose: the unique digest alone must keep them apart.
    pollers = [
        start_manage("poll_bounces", "--mailbox", str(mailbox.pk), env=child_env(INBOUND_BATCH_SIZE=2))
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in pollers]

    assert [p.returncode for p in pollers] == [0, 0], outputs
    assert_everything_counted_once(mailbox, maildir, cast, sends)


@pytest.mark.redis
def test_a_poll_skips_while_the_mailbox_lock_is_held_and_goes_on_once_it_expires(org, maildir, settings, monkeypatch):
    from campaigns.services import mailbox_claims

    settings.REDIS_URL = os.environ["REDIS_URL"]
    monkeypatch.setattr(mailbox_claims, "CLAIM_WAIT_SECONDS", 0.5)  # a poll waits this long for a claim
    mailbox, cast, sends = mailbox_with_bounces(org, maildir)

    with mailbox_poll_lock(mailbox.pk, timeout=2) as held:
        held.renew()
        skipped = poll_mailbox_once(mailbox=mailbox)
        time.sleep(2.2)  # a worker that died holding the lock frees it when it expires
        polled = poll_mailbox_once(mailbox=mailbox)

    assert skipped.skipped and skipped.fetched == 0
    assert polled.stored == 8
    assert_everything_counted_once(mailbox, maildir, cast, sends)


@pytest.mark.postgres  # two connections inserting at once
def test_a_poller_that_loses_the_insert_race_counts_nothing(org, maildir, monkeypatch):
    from campaigns.services import ingestion

    mailbox, cast, sends = mailbox_with_bounces(org, maildir)
    batch = [Fetched(ref=name, raw=(maildir / "new" / name).read_bytes()) for name in os.listdir(maildir / "new")]
    first_has_inserted = threading.Event()

    def pause_the_first_poller(name):
        if name == "after_store" and threading.current_thread().name == "first":
            first_has_inserted.set()
            time.sleep(1.0)  # the second poller's INSERT now waits on our uncommitted digests

    monkeypatch.setattr(ingestion, "checkpoint", pause_the_first_poller)
    results = {}

    def poll(name):
        if name == "second":
            first_has_inserted.wait(10)
        try:
            results[name] = ingestion.ingest_raw_messages(mailbox=mailbox, messages=batch)
        finally:
            connection.close()

    threads = [threading.Thread(target=poll, args=(n,), name=n) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert (results["first"].stored, results["second"].stored) == (8, 0)
    assert results["second"].duplicates == 9 and results["second"].events == 0
    poll_mailbox_once(mailbox=mailbox)
    assert_everything_counted_once(mailbox, maildir, cast, sends)
