"""End to end: launching a run enqueues chunks on Redis, a real Celery worker sends them to the sink."""

import email
import email.policy
import time

import pytest

from campaigns.models import CampaignRun, RunStatus, Send, SendStatus
from campaigns.services.sending import create_run, launch_run
from tests.factories import CampaignFactory, LearnerFactory


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
