"""End to end: launching a run enqueues chunks on Redis, a real Celery worker sends them to the sink."""

import email
import email.policy
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from campaigns.models import CampaignRun, RunStatus, Send, SendStatus
from campaigns.services.sending import create_run, launch_run
from tests.factories import CampaignFactory, LearnerFactory

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker(settings, smtp_sink, tmp_path):
    """A `celery worker --pool=solo` subprocess on the test database, Redis and the SMTP sink."""
    from bounceportal.celery import app

    app.conf.task_always_eager = False  # the autouse fixture restores it
    app.control.purge()  # nothing left over from an earlier run
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
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "bounceportal.celery",
            "worker",
            "--pool=solo",
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
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    log.close()


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.postgres  # a worker process on the test database
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_launched_run_is_sent_by_a_real_celery_worker(org, smtp_sink, celery_worker, tmp_path):
    learners = LearnerFactory.create_batch(5, organization=org)
    campaign = CampaignFactory(organization=org, subject="Quarterly compliance training")

    run = launch_run(run=create_run(campaign=campaign))
    received = smtp_sink.wait_for(5, timeout=90)
    finished = wait_until(lambda: CampaignRun.objects.get(pk=run.pk).status == RunStatus.DONE, timeout=30)

    worker_log = (tmp_path / "worker.log").read_text()
    assert len(received) == 5, worker_log
    assert finished, worker_log
    assert "campaigns.send_chunk" in worker_log and "campaigns.send_run" in worker_log
    tokens = dict(Send.objects.filter(run=run).values_list("email", "token"))
    assert sorted(m.rcpt_tos[0] for m in received) == sorted(learner.email for learner in learners)
    for message in received:
        token = tokens[message.rcpt_tos[0]]
        parsed = email.message_from_bytes(message.data, policy=email.policy.default)
        assert message.mail_from == f"bounces+{token}@bounces.e2e.test"
        assert parsed["Message-ID"] == f"<{token}@bounces.e2e.test>"
        assert parsed["X-BouncePortal-Token"] == token
        assert parsed["List-Unsubscribe"] == f"<https://portal.e2e.test/u/{token}/>"
        assert parsed["Subject"] == "Quarterly compliance training"
    assert set(Send.objects.filter(run=run).values_list("status", flat=True)) == {SendStatus.SENT}
    assert worker_log.count("succeeded") >= 4  # send_run and three chunks of at most two
