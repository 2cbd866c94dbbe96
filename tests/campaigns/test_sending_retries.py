"""Retries: deferred sends go again when due, with backoff, until the window runs out; claims stop doubles."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from campaigns.models import BounceEvent, EventSource, RunStatus, Send, SendStatus
from campaigns.services.delivery import claim_sends, send_chunk
from campaigns.services.sending import create_run, launch_run, schedule_run
from campaigns.tasks.sending import send_due_sends
from contacts.choices import Category, Subtype
from tests.factories import CampaignFactory, LearnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org):
    return CampaignFactory(organization=org)


@pytest.fixture
def greylisted(org, smtp_sink):
    """A learner whose server answers 451 to the first attempt only."""
    smtp_sink.reply_to("grey@school.example", "451 4.7.1 Greylisted, try again later", times=1)
    return LearnerFactory(organization=org, email="grey@school.example")


def launch(campaign, capture):
    with capture(execute=True):
        run = launch_run(run=create_run(campaign=campaign))
    return run


def time_passes(send: Send, seconds: float) -> None:
    """Move the send's timestamps into the past as if ``seconds`` had gone by."""
    ago = timedelta(seconds=seconds)
    send.refresh_from_db()
    Send.objects.filter(pk=send.pk).update(
        next_attempt_at=send.next_attempt_at and send.next_attempt_at - ago,
        first_attempt_at=send.first_attempt_at and send.first_attempt_at - ago,
    )


def test_a_deferred_send_is_retried_when_due_and_then_sent(
    campaign, greylisted, smtp_sink, django_capture_on_commit_callbacks
):
    run = launch(campaign, django_capture_on_commit_callbacks)
    send = Send.objects.get(learner=greylisted)
    time_passes(send, 301)

    send_due_sends()

    send.refresh_from_db()
    run.refresh_from_db()
    assert (send.status, send.attempts) == (SendStatus.SENT, 2)
    assert send.next_attempt_at is None and send.last_reply.startswith("250")
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["grey@school.example"]]
    assert run.status == RunStatus.DONE


def test_a_deferred_send_waits_for_its_retry_time(campaign, greylisted, smtp_sink, django_capture_on_commit_callbacks):
    launch(campaign, django_capture_on_commit_callbacks)

    send_due_sends()

    send = Send.objects.get(learner=greylisted)
    assert (send.status, send.attempts) == (SendStatus.DEFERRED, 1)
    assert smtp_sink.messages == []


def test_the_backoff_doubles_up_to_the_maximum(org, campaign, smtp_sink, settings, django_capture_on_commit_callbacks):
    settings.SEND_RETRY_BASE_SECONDS, settings.SEND_RETRY_MAX_SECONDS = 60, 200
    smtp_sink.reply_to("slow@school.example", "450 4.2.1 Mailbox busy, try later")
    learner = LearnerFactory(organization=org, email="slow@school.example")
    launch(campaign, django_capture_on_commit_callbacks)
    send = Send.objects.get(learner=learner)
    delays = []

    for _attempt in range(4):
        send.refresh_from_db()
        delays.append(round((send.next_attempt_at - send.status_changed_at).total_seconds()))
        time_passes(send, delays[-1] + 1)
        send_due_sends()

    assert delays == [60, 120, 200, 200]


def test_when_the_retry_window_runs_out_the_send_expires_as_a_soft_bounce(
    org, campaign, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.SEND_RETRY_WINDOW_SECONDS, settings.SEND_RETRY_BASE_SECONDS = 30, 10
    smtp_sink.reply_to("never@school.example", "451 4.3.0 Temporary local problem")
    learner = LearnerFactory(organization=org, email="never@school.example")
    run = launch(campaign, django_capture_on_commit_callbacks)
    send = Send.objects.get(learner=learner)
    time_passes(send, 31)

    send_due_sends()

    send.refresh_from_db()
    learner.refresh_from_db()
    run.refresh_from_db()
    event = BounceEvent.objects.get(send=send)
    assert (send.status, send.attempts) == (SendStatus.BOUNCED, 2)
    assert (event.source, event.reason, event.category, event.subtype) == (
        EventSource.SMTP,
        "expired",
        Category.SOFT,
        Subtype.DELIVERY_EXPIRED,
    )
    assert "451 4.3.0 Temporary local problem" in event.diagnostic
    assert learner.soft_bounce_count == 1 and learner.last_bounce_subtype == Subtype.DELIVERY_EXPIRED
    assert run.status == RunStatus.DONE


def test_the_last_retry_happens_when_the_window_ends(
    org, campaign, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.SEND_RETRY_WINDOW_SECONDS, settings.SEND_RETRY_BASE_SECONDS = 100, 300
    smtp_sink.reply_to("late@school.example", "451 4.7.1 Try again later")
    learner = LearnerFactory(organization=org, email="late@school.example")

    launch(campaign, django_capture_on_commit_callbacks)

    send = Send.objects.get(learner=learner)
    assert send.next_attempt_at == send.first_attempt_at + timedelta(seconds=100)


def test_a_send_is_never_sent_twice_when_its_chunk_task_runs_twice(org, campaign, smtp_sink):
    LearnerFactory.create_batch(3, organization=org)
    run = schedule_run(run=create_run(campaign=campaign))
    first, last = Send.objects.filter(run=run).order_by("pk").values_list("pk", flat=True)[::2]

    send_chunk(run_id=run.pk, first_id=first, last_id=last)
    again = send_chunk(run_id=run.pk, first_id=first, last_id=last)

    assert again.claimed == 0
    assert len(smtp_sink.messages) == 3
    assert set(Send.objects.filter(run=run).values_list("attempts", flat=True)) == {1}


def test_a_send_claimed_by_a_live_worker_is_left_alone_until_its_lease_expires(org, campaign, smtp_sink, settings):
    learner = LearnerFactory(organization=org)
    run = schedule_run(run=create_run(campaign=campaign))
    send = Send.objects.get(learner=learner)
    Send.objects.filter(pk=send.pk).update(claimed_at=timezone.now())
    run.status = RunStatus.SENDING
    run.save()

    send_due_sends()
    assert smtp_sink.messages == []

    Send.objects.filter(pk=send.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.SEND_CLAIM_LEASE_SECONDS + 1)
    )
    send_due_sends()

    send.refresh_from_db()
    assert send.status == SendStatus.SENT and len(smtp_sink.messages) == 1


@pytest.mark.postgres  # concurrent claims
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_chunk_at_once_split_it_without_overlap(org, campaign):
    LearnerFactory.create_batch(200, organization=org)
    run = schedule_run(run=create_run(campaign=campaign))
    ids = list(Send.objects.filter(run=run).order_by("pk").values_list("pk", flat=True))
    barrier = threading.Barrier(2)
    claimed, errors = [], []

    def claim():
        try:
            barrier.wait()
            claimed.append({send.id for send in claim_sends(run_id=run.pk, first_id=ids[0], last_id=ids[-1])})
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert claimed[0] & claimed[1] == set()
    assert claimed[0] | claimed[1] == set(ids)


def test_manage_py_send_due_sends_a_runs_pending_sends_without_celery(org, campaign, smtp_sink):
    LearnerFactory.create_batch(2, organization=org)
    run = schedule_run(run=create_run(campaign=campaign))
    run.status = RunStatus.SENDING
    run.save()
    out = io.StringIO()

    call_command("send_due", run=[run.pk], stdout=out)

    run.refresh_from_db()
    assert len(smtp_sink.messages) == 2 and run.status == RunStatus.DONE
    assert "2 sent" in out.getvalue() and f"Run {run.pk} is done." in out.getvalue()
