"""The run guard: a run whose bounce, complaint or block rate crosses the policy pauses itself (DESIGN §3)."""

import pytest
from django.core import mail
from django.db.models import Count
from django.urls import reverse

from campaigns.models import BounceEvent, CampaignRun, RunStatus, Send, SendStatus
from campaigns.services import delivery
from campaigns.services.guard import read_guard
from campaigns.services.policy import apply_bounce_events
from campaigns.services.sending import RunError, create_run, launch_run, resume_run
from contacts.models import BouncePolicy
from tests.campaigns.test_sending_worker import wait_until
from tests.factories import (
    COMPLAINT,
    BounceEventFactory,
    CampaignFactory,
    LearnerFactory,
    MembershipFactory,
    SendFactory,
)

pytestmark = pytest.mark.django_db

USER_UNKNOWN = "550 5.1.1 <{}>: Recipient address rejected: User unknown"
PROOFPOINT = "554 5.7.1 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.7"


@pytest.fixture
def guard_policy(org):
    policy, _ = BouncePolicy.objects.update_or_create(organization=org, defaults={"run_guard_min_sends": 10})
    return policy


@pytest.fixture
def small_batches(monkeypatch):
    """The worker judges the run after every 5 outcomes (instead of 100)."""
    monkeypatch.setattr(delivery, "FLUSH_EVERY", 5)


def learners(org, count, *, refused_from=None, reply=USER_UNKNOWN, sink=None, stage="RCPT"):
    """``count`` learners in id order; those from index ``refused_from`` on are refused by the sink."""
    made = []
    for index in range(count):
        learner = LearnerFactory(organization=org, email=f"l{index:03}@school{index % 3}.example")
        if refused_from is not None and index >= refused_from:
            sink.reply_to(learner.email, reply.format(learner.email), stage=stage)
        made.append(learner)
    return made


def launch(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = launch_run(run=create_run(campaign=CampaignFactory(organization=org)))
    return CampaignRun.objects.get(pk=run.pk)


def counts(run) -> dict[str, int]:
    return dict(Send.objects.filter(run=run).order_by().values_list("status").annotate(n=Count("*")))


def test_a_run_whose_hard_bounces_cross_the_pause_rate_pauses_within_one_batch(
    org, guard_policy, small_batches, smtp_sink, django_capture_on_commit_callbacks
):
    MembershipFactory(organization=org, role="admin", user__email="boss@org.example")
    learners(org, 40, refused_from=20, sink=smtp_sink)

    run = launch(org, django_capture_on_commit_callbacks)

    by_status = counts(run)
    assert run.status == RunStatus.PAUSED
    assert "hard-bounce rate" in run.pause_reason and "reached the pause rate (10.00 %)" in run.pause_reason
    assert by_status[SendStatus.BOUNCED] <= 5  # the first batch with refusals crossed 10 %
    assert by_status[SendStatus.SCHEDULED] == 40 - by_status[SendStatus.SENT] - by_status[SendStatus.BOUNCED]
    assert not Send.objects.filter(run=run, status=SendStatus.SCHEDULED, claimed_at__isnull=False).exists()
    assert len(smtp_sink.messages) == by_status[SendStatus.SENT]
    assert [m.to for m in mail.outbox] == [["boss@org.example"]] and "paused" in mail.outbox[0].subject


def test_a_paused_run_sends_nothing_more_and_resuming_sends_the_rest_once(
    org, guard_policy, small_batches, smtp_sink, django_capture_on_commit_callbacks
):
    made = learners(org, 40, refused_from=20, sink=smtp_sink)
    run = launch(org, django_capture_on_commit_callbacks)
    with pytest.raises(RunError):
        launch_run(run=run)  # a paused run is resumed, not launched again
    left_while_paused = counts(run).get(SendStatus.SCHEDULED, 0)
    smtp_sink.handler.rules.clear()  # the admin fixed the cause

    with django_capture_on_commit_callbacks(execute=True):
        resume_run(run=run)

    run.refresh_from_db()
    assert left_while_paused >= 10
    assert run.status == RunStatus.DONE and run.pause_reason == ""
    recipients = [m.rcpt_tos[0] for m in smtp_sink.messages]
    bounced = set(Send.objects.filter(run=run, status=SendStatus.BOUNCED).values_list("email", flat=True))
    assert len(recipients) == len(set(recipients))  # nobody got the message twice
    assert set(recipients) | bounced == {learner.email for learner in made} and not set(recipients) & bounced


def test_resuming_re_arms_the_guard_on_what_happens_next(
    org, guard_policy, small_batches, smtp_sink, django_capture_on_commit_callbacks
):
    learners(org, 60, refused_from=20, sink=smtp_sink)
    run = launch(org, django_capture_on_commit_callbacks)
    first_pause = counts(run)[SendStatus.BOUNCED]

    with django_capture_on_commit_callbacks(execute=True):
        resume_run(run=run)

    run.refresh_from_db()
    assert run.status == RunStatus.PAUSED  # still refused: paused again after 10 new sends
    assert counts(run)[SendStatus.BOUNCED] - first_pause >= 10
    assert counts(run).get(SendStatus.SCHEDULED, 0) > 0


def test_one_products_block_share_pauses_the_run(
    org, guard_policy, small_batches, smtp_sink, django_capture_on_commit_callbacks
):
    learners(org, 40, refused_from=25, reply=PROOFPOINT, sink=smtp_sink)

    run = launch(org, django_capture_on_commit_callbacks)

    assert run.status == RunStatus.PAUSED
    assert run.pause_reason.startswith("Proofpoint blocked") and "the pause share (20.00 %)" in run.pause_reason
    assert not BounceEvent.objects.filter(outcome="counted").exists()  # the learners were not counted


def test_complaints_ingested_while_a_run_sends_pause_it(org, guard_policy, django_capture_on_commit_callbacks):
    run = CampaignFactory(organization=org).runs.create(organization=org, status=RunStatus.SENDING)
    sends = SendFactory.create_batch(20, organization=org, run=run, status=SendStatus.SENT)  # 20 attempted

    with django_capture_on_commit_callbacks(execute=True):
        apply_bounce_events(events=[BounceEventFactory(send=sends[0], **COMPLAINT)])

    run.refresh_from_db()
    assert run.status == RunStatus.PAUSED and run.pause_reason.startswith("complaint rate 5.00 %")


def test_the_guard_can_be_switched_off(org, guard_policy, small_batches, smtp_sink, django_capture_on_commit_callbacks):
    BouncePolicy.objects.filter(organization=org).update(run_guard_enabled=False)
    learners(org, 30, refused_from=10, sink=smtp_sink)

    run = launch(org, django_capture_on_commit_callbacks)

    assert run.status == RunStatus.DONE and counts(run)[SendStatus.BOUNCED] == 20


def test_only_a_paused_run_can_be_resumed(org):
    run = CampaignFactory(organization=org).runs.create(organization=org, status=RunStatus.DONE)

    with pytest.raises(RunError, match="not paused"):
        resume_run(run=run)


def test_the_rates_are_judged_only_after_enough_sends(guard_policy):
    reading = read_guard({"attempted": 9, "hard": 9}, {}, guard_policy)

    assert reading.pause_reason == "" and not reading.reviews


def test_review_rates_warn_without_pausing(guard_policy):
    reading = read_guard({"attempted": 100, "hard": 6, "complaint": 0}, {}, guard_policy)

    assert reading.pause_reason == ""
    assert reading.reviews == ("hard-bounce rate 6.0 % (review at 5.00 %)",)


def test_the_run_page_says_why_it_paused_and_resumes_it(
    admin_client, org, guard_policy, small_batches, smtp_sink, django_capture_on_commit_callbacks
):
    learners(org, 30, refused_from=15, sink=smtp_sink)
    run = launch(org, django_capture_on_commit_callbacks)
    smtp_sink.handler.rules.clear()

    page = admin_client.get(reverse("campaigns:run-detail", args=[run.pk])).content.decode()
    dashboard = admin_client.get(reverse("reports:learner-report")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("campaigns:run-resume", args=[run.pk]))

    assert "The run guard paused this run" in page and "Resume sending" in page
    assert f"Run {run.pk} of" in dashboard and "is paused" in dashboard
    assert response.status_code == 302
    assert CampaignRun.objects.get(pk=run.pk).status == RunStatus.DONE


def test_viewers_cannot_resume_a_run(viewer_client, org):
    run = CampaignFactory(organization=org).runs.create(organization=org, status=RunStatus.PAUSED)

    response = viewer_client.post(reverse("campaigns:run-resume", args=[run.pk]))

    assert response.status_code == 403 and CampaignRun.objects.get(pk=run.pk).status == RunStatus.PAUSED


def refused_share_grows(org, sink, count=40):
    """Learners in id order: the first half accepted, then every third refused, then all of them."""
    made = learners(org, count)
    refused = [i for i in range(count) if (count // 2 <= i < 3 * count // 4 and i % 3 == 2) or i >= 3 * count // 4]
    for index in refused:
        sink.reply_to(made[index].email, USER_UNKNOWN.format(made[index].email))
    return made, set(refused)


def first_crossing(refused: set[int], count: int, *, min_sends: int, pause_percent: int) -> int:
    """How many sends, in order, it takes for the hard-bounce rate to reach the pause rate."""
    hard = 0
    for attempted in range(1, count + 1):
        hard += (attempted - 1) in refused
        if attempted >= min_sends and 100 * hard >= pause_percent * attempted:
            return attempted
    return count


def send_until_paused_then_resume(org, smtp_sink):
    """Launch a run for the workers; once paused, stop refusing and resume it. Return (the run as it was
    paused, paused in time, send counts at the pause, done in time)."""
    run = launch_run(run=create_run(campaign=CampaignFactory(organization=org)))
    paused = wait_until(lambda: CampaignRun.objects.get(pk=run.pk).status == RunStatus.PAUSED, timeout=90)
    wait_until(lambda: False, timeout=2)  # chunks still queued must find the run paused and send nothing
    at_pause, run = counts(run), CampaignRun.objects.get(pk=run.pk)

    smtp_sink.handler.rules.clear()
    resume_run(run=run)
    done = wait_until(lambda: CampaignRun.objects.get(pk=run.pk).status == RunStatus.DONE, timeout=90)
    return run, paused, at_pause, done


@pytest.mark.slow
@pytest.mark.postgres  # a worker process on the test database
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_pauses_the_run_within_one_chunk_and_resumes_it_losing_nothing(
    org, guard_policy, smtp_sink, celery_worker, tmp_path
):
    made, refused = refused_share_grows(org, smtp_sink)
    crossing = first_crossing(refused, len(made), min_sends=10, pause_percent=10)

    run, paused, at_pause, done = send_until_paused_then_resume(org, smtp_sink)

    log = (tmp_path / "worker.log").read_text()
    assert paused, log
    attempted = at_pause.get(SendStatus.SENT, 0) + at_pause.get(SendStatus.BOUNCED, 0)
    assert crossing <= attempted <= crossing + 2, (crossing, at_pause)  # SEND_CHUNK_SIZE is 2 in the worker
    assert at_pause[SendStatus.SCHEDULED] == len(made) - attempted
    assert done, log
    recipients = [m.rcpt_tos[0] for m in smtp_sink.messages]
    bounced = list(Send.objects.filter(run=run, status=SendStatus.BOUNCED).values_list("email", flat=True))
    assert len(recipients) == len(set(recipients)), "a learner got the message twice"
    assert sorted(recipients + bounced) == sorted(learner.email for learner in made), "a send was lost"
    assert BounceEvent.objects.filter(send__run=run).count() == len(bounced)


@pytest.mark.slow
@pytest.mark.postgres  # worker processes on the test database
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_real_workers_sending_one_run_pause_it_once_and_lose_or_repeat_no_send(
    org, guard_policy, smtp_sink, two_celery_workers, tmp_path
):
    made, refused = refused_share_grows(org, smtp_sink)
    crossing = first_crossing(refused, len(made), min_sends=10, pause_percent=10)

    run, paused, at_pause, done = send_until_paused_then_resume(org, smtp_sink)
    pause_reason = run.pause_reason

    logs = "\n".join((tmp_path / f"worker-{n}.log").read_text() for n in (1, 2))
    assert paused and "hard-bounce rate" in pause_reason, logs
    attempted = at_pause.get(SendStatus.SENT, 0) + at_pause.get(SendStatus.BOUNCED, 0)
    # Each worker may finish the chunk (2 sends) it was sending when the other paused the run; the two
    # send chunks side by side, so the order of the outcomes is not quite the learners' order.
    assert crossing - 2 <= attempted <= crossing + 4, (crossing, at_pause)
    assert at_pause[SendStatus.SCHEDULED] == len(made) - attempted
    assert logs.count("paused by the run guard") == 1, "the run was paused twice, or not by a worker"
    assert "worker1@" in logs and "worker2@" in logs
    assert done, logs
    recipients = [m.rcpt_tos[0] for m in smtp_sink.messages]
    bounced = list(Send.objects.filter(run=run, status=SendStatus.BOUNCED).values_list("email", flat=True))
    assert len(recipients) == len(set(recipients)), "a learner got the message twice"
    assert sorted(recipients + bounced) == sorted(learner.email for learner in made), "a send was lost"
