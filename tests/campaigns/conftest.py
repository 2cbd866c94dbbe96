"""Fixtures of the campaigns tests: a real Dovecot, Maildirs and sends to bounce (ingestion), and a
real SMTP peer (aiosmtpd) the sender talks to."""

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from campaigns.bounce_generator import Original
from tests.dovecot import DovecotServer
from tests.factories import BounceMailboxFactory, SendFactory
from tests.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _forget_mailbox_keys_in_redis(settings):
    """Ids restart with each test database, so poll locks and queued marks of earlier runs must go."""
    if settings.REDIS_URL:
        from campaigns.services.locks import redis_client

        client = redis_client(settings.REDIS_URL)
        for key in client.scan_iter(match="bounceportal:mailbox-*"):
            client.delete(key)


@pytest.fixture(scope="session")
def dovecot():
    if shutil.which("dovecot") is None:
        pytest.fail("Dovecot is not installed: run scripts/system-deps.sh (make test does).")
    server = DovecotServer().start()
    yield server
    server.stop()


@pytest.fixture
def imap_account(dovecot):
    return dovecot.new_account()


@pytest.fixture
def maildir():
    """An empty Maildir in a fresh folder (removed afterwards)."""
    root = Path(tempfile.mkdtemp(prefix="bp-maildir-"))
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir()
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def maildir_mailbox(org, maildir):
    return BounceMailboxFactory(organization=org, protocol="maildir", folder=str(maildir))


@pytest.fixture
def batch_sizes(monkeypatch) -> list[int]:
    """The number of messages in each batch a poll hands to ingestion, in order."""
    from campaigns.services import ingestion

    sizes: list[int] = []
    ingest = ingestion.ingest_raw_messages

    def counting(*, messages, **kwargs):
        sizes.append(len(messages))
        return ingest(messages=messages, **kwargs)

    monkeypatch.setattr(ingestion, "ingest_raw_messages", counting)
    return sizes


def original_of(send) -> Original:
    """What the generator needs to write a bounce for ``send``."""
    return Original(
        token=send.token,
        email=send.email,
        from_email=send.run.campaign.from_email,
        subject=send.run.campaign.subject,
        sent_at=send.sent_at,
    )


_delivered = itertools.count(1)


def drop(maildir: Path, raw: bytes, name: str | None = None) -> Path:
    """Deliver ``raw`` into the Maildir's new/ the way an MTA does (write in tmp/, rename)."""
    name = name or f"1700000000.M{next(_delivered)}P1.test"
    tmp = maildir / "tmp" / name
    tmp.write_bytes(raw)
    target = maildir / "new" / name
    tmp.rename(target)
    return target


def imap_mailbox(org, dovecot, account, *, password: str | None = None, **fields):
    """A bounce mailbox reading ``account``'s INBOX on the test Dovecot over plain IMAP."""
    mailbox = BounceMailboxFactory.create(
        organization=org,
        protocol="imap",
        host="127.0.0.1",
        port=dovecot.imap_port,
        security="none",
        username=account.username,
        folder="INBOX",
        **fields,
    )
    mailbox.set_password(account.password if password is None else password)
    mailbox.save()
    return mailbox


@pytest.fixture
def send(org):
    return SendFactory(run__campaign__organization=org)


@pytest.fixture
def smtp_sink(settings):
    """An aiosmtpd server on a free loopback port, with SMTP_* settings pointing at it."""
    sink = SmtpSink().start()
    settings.SMTP_HOST, settings.SMTP_PORT = "127.0.0.1", sink.port
    settings.SMTP_SECURITY, settings.SMTP_USERNAME = "none", ""
    yield sink
    sink.stop()


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(settings, smtp_sink, log_path, name="worker"):
    """Start a `celery worker --pool=solo` subprocess on the test database, Redis and the SMTP sink."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_ENV": "test",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_sink.port),
        "SMTP_SECURITY": "none",
        "BOUNCE_DOMAIN": "bounces.e2e.test",
        "PUBLIC_BASE_URL": "https://portal.e2e.test",
        "SEND_CHUNK_SIZE": "2",
    }
    log = log_path.open("w")
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "bounceportal.celery",
            "worker",
            "--pool=solo",
            "-n",
            f"{name}@%h",
            "-l",
            "info",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()  # the child has its own descriptor
    return worker


def stop_worker(worker) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _eager_off():
    from bounceportal.celery import app

    app.conf.task_always_eager = False  # the autouse fixture restores it
    app.control.purge()  # nothing left over from an earlier run


@pytest.fixture
def celery_worker(settings, smtp_sink, tmp_path):
    """A `celery worker --pool=solo` subprocess on the test database, Redis and the SMTP sink (worker.log)."""
    _eager_off()
    worker = start_worker(settings, smtp_sink, tmp_path / "worker.log")
    yield worker
    stop_worker(worker)


@pytest.fixture
def two_celery_workers(settings, smtp_sink, tmp_path):
    """Two such workers taking chunks of the same queue (worker-1.log, worker-2.log)."""
    _eager_off()
    workers = [start_worker(settings, smtp_sink, tmp_path / f"worker-{n}.log", name=f"worker{n}") for n in (1, 2)]
    yield workers
    for worker in workers:
        stop_worker(worker)
