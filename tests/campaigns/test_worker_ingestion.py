"""End to end with a real Celery worker (and its embedded beat) on the real Redis and Dovecot.

A bounce appended over IMAP → beat finds the mailbox due → the worker polls it
→ events in PostgreSQL → the message moved to Processed. A mailbox with a
wrong password beside it fails, is retried with backoff, and keeps its error
on the mailbox, while the good one goes on being polled on its interval.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
from imapclient import IMAPClient

from bounceportal.celery import app
from campaigns import bounce_generator as gen
from campaigns.models import BounceEvent, BounceMailbox
from tests.campaigns.conftest import imap_mailbox, original_of
from tests.factories import SendFactory
from tests.subprocesses import ROOT, child_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.dovecot,
    pytest.mark.slow,
    pytest.mark.postgres,  # worker and beat processes on the test database
    pytest.mark.redis,
]


def wait_until(condition, timeout=90, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def celery_worker_process():
    app.control.purge()
    schedule = tempfile.mkdtemp(prefix="bp-beat-")
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "bounceportal.celery",
            "worker",
            "--pool=solo",
            "-Q",
            "celery",
            "-B",
            "-s",
            f"{schedule}/beat-schedule",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
        ],
        env=child_env(redis=True, CELERY_BEAT_TICK_SECONDS=1, MAILBOX_RETRY_BACKOFF_SECONDS=1),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    shutil.rmtree(schedule, ignore_errors=True)
    if os.environ.get("BP_SHOW_WORKER_LOG"):
        print(output)


def folder_size(dovecot, account, folder):
    with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False, timeout=10) as client:
        client.login(account.username, account.password)
        if not client.folder_exists(folder):
            return 0
        return client.select_folder(folder, readonly=True)[b"EXISTS"]


def test_worker_and_beat_ingest_over_imap_and_retry_a_broken_mailbox(org, dovecot, celery_worker_process):
    account, other_account = dovecot.new_account(), dovecot.new_account()
    first, second = SendFactory(run__campaign__organization=org), SendFactory(run__campaign__organization=org)
    with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as client:
        client.login(account.username, account.password)
        client.append("INBOX", gen.postfix_dsn(original_of(first)))
    good = imap_mailbox(org, dovecot, account, poll_interval_seconds=10)
    broken = imap_mailbox(org, dovecot, other_account, password="not-the-password", poll_interval_seconds=10)

    wait_until(lambda: BounceEvent.objects.filter(send=first).exists(), what="the first bounce's event")
    wait_until(lambda: folder_size(dovecot, account, "Processed") == 1, what="the message moved to Processed")
    with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as client:
        client.login(account.username, account.password)
        client.append("INBOX", gen.exim_text(original_of(second)))
    BounceMailbox.objects.filter(pk=good.pk).update(poll_interval_seconds=2)
    wait_until(lambda: BounceEvent.objects.filter(send=second).exists(), what="the next poll on the interval")
    wait_until(
        lambda: BounceMailbox.objects.get(pk=broken.pk).consecutive_failures >= 3,
        what="the broken mailbox to be retried",
    )

    first.learner.refresh_from_db()
    good.refresh_from_db()
    broken.refresh_from_db()
    assert first.learner.status == "bounced"
    assert folder_size(dovecot, account, "INBOX") == 0
    assert good.last_error == "" and good.messages_processed == 2
    assert "Login failed" in broken.last_error and "not-the-password" not in broken.last_error
