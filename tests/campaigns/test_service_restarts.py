"""PostgreSQL, Redis and Dovecot restarted in the middle of a poll or of a sending chunk: the next
poll or sweep recovers, nothing is lost, nothing is counted or sent twice.

The services restarted are the tests' own, never the shared ones: a throwaway PostgreSQL cluster
and redis-server (tests/private_services.py) and the test session's Dovecot (tests/dovecot.py,
restarted in place: same ports, mail and accounts kept).
Django's default connection points at the private cluster for each test (a fresh database made
from a copy of the migrated test database), so these tests take no ``db`` fixture. Between a failed poll and the
next one the test calls ``close_old_connections()``, which is what Celery's Django fix-up does
around every task in a worker.
"""

import itertools
import os
import subprocess
from contextlib import suppress
from datetime import timedelta

import pytest
import redis
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import F

from campaigns.mailboxes import MailboxError
from campaigns.models import BounceEvent, InboundMessage, RunStatus, Send, SendStatus
from campaigns.services import delivery, ingestion
from campaigns.services.ingestion import poll_mailbox_once
from campaigns.services.sending import send_chunk
from campaigns.tasks.sending import send_due_sends
from tests.campaigns.conftest import imap_mailbox
from tests.campaigns.test_crash_safety import mailbox_with_bounces
from tests.factories import CampaignRunFactory, LearnerFactory, OrganizationFactory, SendFactory
from tests.private_services import PrivatePostgres, PrivateRedis, postgres_bin, using_database

# No django_db mark: no transaction may be open on the shared test database while a test points the
# connection elsewhere, and a transactional test's flush would cost seconds each.
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

TEMPLATE = "bp_restart_template"
_databases = itertools.count(1)


@pytest.fixture(scope="module")
def private_postgres(django_db_setup, django_db_blocker):
    """A private cluster whose template database is a copy of the migrated test database."""
    if postgres_bin() is None:
        pytest.skip("initdb is missing (/usr/lib/postgresql/*/bin/initdb): install postgresql to run the restart tests")
    server = PrivatePostgres().start()
    with django_db_blocker.unblock():
        # The migrated test database; pytest-django made none when only tests without a db mark run.
        made_here = not connection.settings_dict["NAME"].startswith("test_")
        original_name = connection.settings_dict["NAME"]
        if made_here:
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        server.copy_database(dict(connection.settings_dict), TEMPLATE)
        if made_here:
            connection.creation.destroy_test_db(original_name, verbosity=0)
    yield server
    server.stop()


@pytest.fixture
def on_private_postgres(private_postgres, django_db_blocker, settings):
    """Django's connection on a fresh, migrated database of the private cluster (no Redis unless a test sets it)."""
    name = f"bp_restart_{next(_databases)}"
    private_postgres.psql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    settings.REDIS_URL = None
    with django_db_blocker.unblock(), using_database(private_postgres, name):
        yield private_postgres


@pytest.fixture
def private_redis(settings):
    server = PrivateRedis().start()
    settings.REDIS_URL = server.url
    yield server
    server.stop()


def at(name: str, nth: int, action):
    """A checkpoint replacement that runs ``action`` the ``nth`` time the code reaches ``name``."""
    hits = itertools.count(1)

    def checkpoint(reached: str) -> None:
        if reached == name and next(hits) == nth:
            action()

    return checkpoint


def assert_stored_and_counted_once(mailbox, maildir, cast, sends) -> None:
    """Eight distinct messages stored once, six events, each bounce counted once, only the human reply left.

    (Like test_crash_safety's check, with ``bounce_count`` rather than the consecutive soft count, whose
    value depends on the order the policy sees the three soft-side bounces in.)
    """
    for learner in cast.values():
        learner.refresh_from_db()
    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 8
    assert BounceEvent.objects.filter(organization=mailbox.organization).count() == 6
    assert (cast["soft"].bounce_count, cast["soft"].status) == (3, "active")
    assert cast["hard"].status == "bounced" and cast["hard"].bounce_count == 1
    assert cast["auto"].auto_replied_at is not None and cast["auto"].status == "active"
    assert cast["fbl"].status == "unsubscribed"
    assert Send.objects.get(pk=sends["late"].pk).status == SendStatus.DEFERRED
    left = [maildir / sub / name for sub in ("new", "cur") for name in os.listdir(maildir / sub)]
    assert len(left) == 1 and b"which room" in left[0].read_bytes()
    processed = maildir / ".Processed"
    assert len(os.listdir(processed / "cur")) + len(os.listdir(processed / "new")) == 8


def next_poll_recovers(mailbox, maildir, cast, sends) -> None:
    close_old_connections()  # a worker does this around every task
    poll_mailbox_once(mailbox=mailbox)
    assert_stored_and_counted_once(mailbox, maildir, cast, sends)


# --- In the middle of a poll ------------------------------------------------------------------------


def test_postgresql_restarted_inside_a_batch_transaction(on_private_postgres, maildir, settings, monkeypatch):
    settings.INBOUND_BATCH_SIZE = 3
    mailbox, cast, sends = mailbox_with_bounces(OrganizationFactory(), maildir)
    monkeypatch.setattr(ingestion, "checkpoint", at("in_transaction", 2, on_private_postgres.restart))

    with suppress(DatabaseError):  # it stops there, or goes on message by message once the server is back
        poll_mailbox_once(mailbox=mailbox)

    monkeypatch.setattr(ingestion, "checkpoint", lambda name: None)
    next_poll_recovers(mailbox, maildir, cast, sends)


def test_redis_restarted_between_two_batches(on_private_postgres, private_redis, maildir, settings, monkeypatch):
    settings.INBOUND_BATCH_SIZE = 3
    mailbox, cast, sends = mailbox_with_bounces(OrganizationFactory(), maildir)
    monkeypatch.setattr(ingestion, "checkpoint", at("after_commit", 1, private_redis.restart))

    with pytest.raises(MailboxError, match="lock"):  # the restart lost the poll lock: the poll stops
        poll_mailbox_once(mailbox=mailbox)

    assert InboundMessage.objects.count() == 3  # the first batch, committed and marked
    monkeypatch.setattr(ingestion, "checkpoint", lambda name: None)
    next_poll_recovers(mailbox, maildir, cast, sends)


def test_dovecot_restarted_between_fetching_and_marking(on_private_postgres, dovecot, settings, monkeypatch):
    settings.INBOUND_BATCH_SIZE = 3
    org = OrganizationFactory()
    account = dovecot.new_account()
    for sub in ("cur", "new", "tmp"):
        (account.maildir / sub).mkdir(parents=True, exist_ok=True)
    _, cast, sends = mailbox_with_bounces(org, account.maildir)  # delivered into Dovecot's Maildir, as an MTA would
    subprocess.run(["chown", "-R", "mail:mail", str(account.maildir)], check=True)
    mailbox = imap_mailbox(org, dovecot, account)
    monkeypatch.setattr(ingestion, "checkpoint", at("after_commit", 2, dovecot.restart))

    with pytest.raises(MailboxError):  # the second batch is stored; marking it needs the lost session
        poll_mailbox_once(mailbox=mailbox)

    assert InboundMessage.objects.count() == 6
    monkeypatch.setattr(ingestion, "checkpoint", lambda name: None)
    next_poll_recovers(mailbox, account.maildir, cast, sends)


# --- In the middle of a sending chunk ------------------------------------------------------------


def sending_run(count: int, *, rate: int = 1000):
    org = OrganizationFactory(send_rate_per_second=rate)
    run = CampaignRunFactory(campaign__organization=org, status=RunStatus.SENDING)
    sends = [
        SendFactory(run=run, learner=LearnerFactory(organization=org), status=SendStatus.SCHEDULED, sent_at=None)
        for _ in range(count)
    ]
    return run, sends


def lease_passes(run) -> None:
    """Make every live claim of the run look abandoned, as it is once SEND_CLAIM_LEASE_SECONDS have passed."""
    from django.conf import settings

    Send.objects.filter(run=run, claimed_at__isnull=False).update(
        claimed_at=F("claimed_at") - timedelta(seconds=settings.SEND_CLAIM_LEASE_SECONDS + 1)
    )


def assert_each_sent_once(run, sends, smtp_sink) -> None:
    tokens = [message.data.split(b"X-BouncePortal-Token: ")[1].split(b"\r\n")[0] for message in smtp_sink.messages]
    tokens = [token.decode().strip() for token in tokens]
    assert sorted(tokens) == sorted(send.token for send in sends), "every send exactly once"
    assert set(Send.objects.filter(run=run).values_list("status", flat=True)) == {SendStatus.SENT}
    assert not BounceEvent.objects.filter(send__run=run).exists()


def test_postgresql_restarted_between_two_write_backs(on_private_postgres, smtp_sink, monkeypatch):
    run, sends = sending_run(6)
    monkeypatch.setattr(delivery, "FLUSH_EVERY", 2)
    monkeypatch.setattr(delivery, "checkpoint", at("after_message", 3, on_private_postgres.restart))

    result = send_chunk(run_id=run.pk, first_id=sends[0].pk, last_id=sends[-1].pk)

    assert result["sent"] == 6
    lease_passes(run)
    send_due_sends()  # the sweep finds nothing left to send
    assert_each_sent_once(run, sends, smtp_sink)


def test_redis_gone_in_the_middle_of_a_chunk(on_private_postgres, private_redis, smtp_sink, monkeypatch):
    run, sends = sending_run(6, rate=10)  # a rate this low reserves each message in Redis
    monkeypatch.setattr(delivery, "FLUSH_EVERY", 2)
    monkeypatch.setattr(delivery, "checkpoint", at("after_message", 3, private_redis.stop))

    with pytest.raises(redis.exceptions.ConnectionError):
        send_chunk(run_id=run.pk, first_id=sends[0].pk, last_id=sends[-1].pk)

    assert len(smtp_sink.messages) == 3
    private_redis.start()  # back, empty: the rate schedule starts again
    lease_passes(run)
    send_due_sends()
    assert_each_sent_once(run, sends, smtp_sink)


def test_the_private_services_are_not_the_shared_ones(on_private_postgres, private_redis):
    assert connection.settings_dict["PORT"] == str(on_private_postgres.port) != "5432"
    assert private_redis.port != 6379
    assert os.environ.get("REDIS_URL", "") != private_redis.url
