"""Scheduled runs: a start time, a send window in the organization's time zone, release and cancel."""

import base64
import re
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bounceportal.celery import app
from campaigns.models import RunStatus, Send, SendStatus
from campaigns.send_windows import SendWindow, WindowError, due_times
from campaigns.services import delivery
from campaigns.services.messages import smtp_address
from campaigns.services.policy import apply_bounce_event
from campaigns.services.scheduling import cancel_run, release_due_sends, schedule_new_run
from campaigns.services.sending import RunError, schedule_run
from contacts.choices import DeliverabilityStatus
from contacts.never_suppress import add_never_suppress_entry
from tests.eager import apply_and_return
from tests.factories import BounceEventFactory, CampaignFactory, LearnerFactory, SendFactory

PARIS = ZoneInfo("Europe/Paris")


def beat_task(entry: str):
    """The Celery task the beat schedule's ``entry`` runs (registered when the tasks module is imported)."""
    import campaigns.tasks  # noqa: F401

    name = str(settings.CELERY_BEAT_SCHEDULE[entry]["task"])
    return app.tasks[name]


WEEKDAYS_9_TO_5 = SendWindow(weekdays=frozenset({1, 2, 3, 4, 5}), start=time(9), end=time(17), days=3)


@pytest.fixture
def campaign(org):
    org.time_zone = "Europe/Paris"
    org.send_rate_per_second = 10
    org.save()
    return CampaignFactory(organization=org, name="Security week")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def test_a_window_spreads_sends_evenly_over_weekday_hours_in_the_organization_time_zone():
    start = paris(2026, 12, 4, 16, 0)  # a Friday, one hour before the window closes

    times = due_times(100, start=start, window=WEEKDAYS_9_TO_5, zone=PARIS, rate=10)

    local = [t.astimezone(PARIS) for t in times]
    assert times == sorted(times) and len(times) == 100
    assert {t.date().isoformat() for t in local} == {"2026-12-04", "2026-12-07", "2026-12-08"}  # Fri, Mon, Tue
    assert all(time(9) <= t.time() < time(17) for t in local)
    assert local[0] == start
    # 17 open hours for 100 sends: one every 612 s of open time; Friday's hour holds the first six.
    assert sum(1 for t in local if t.day == 4) == 6
    assert (times[2] - times[1]).total_seconds() == pytest.approx(612)


def test_window_hours_are_local_hours_across_a_daylight_saving_change():
    start = paris(2027, 3, 26, 9, 0)  # Friday; Paris moves to summer time on Sunday 28 March
    window = SendWindow(weekdays=frozenset({1, 5}), start=time(9), end=time(10), days=2)

    times = due_times(2, start=start, window=window, zone=PARIS, rate=1)

    assert [t.astimezone(UTC).hour for t in times] == [8, 7]  # 09:00 CET, then 09:00 CEST
    assert [t.astimezone(PARIS).hour for t in times] == [9, 9]


def test_a_window_too_short_for_the_run_at_the_organization_rate_says_how_long_it_needs():
    one_hour = SendWindow(weekdays=frozenset({5}), start=time(9), end=time(10), days=1)

    with pytest.raises(WindowError, match=r"40000 messages at 10 per second need 1.1 hours of window"):
        due_times(40_000, start=paris(2026, 12, 4, 9), window=one_hour, zone=PARIS, rate=10)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"weekdays": frozenset()}, "at least one weekday"),
        ({"start": time(17), "end": time(9)}, "end after it starts"),
        ({"days": 0}, "from 1 to 31 days"),
    ],
)
def test_a_window_that_cannot_be_is_refused_with_a_message(kwargs, message):
    values = {"weekdays": frozenset({1}), "start": time(9), "end": time(17), "days": 1, **kwargs}

    with pytest.raises(WindowError, match=message):
        SendWindow(**values)


@pytest.mark.django_db
def test_scheduling_gives_each_deliverable_learner_a_due_time_inside_the_window(org, campaign):
    learners = LearnerFactory.create_batch(4, organization=org)
    LearnerFactory(organization=org, status=DeliverabilityStatus.BOUNCED)
    start = paris(2026, 12, 4, 16, 0)

    run = schedule_new_run(campaign=campaign, start=start, window=WEEKDAYS_9_TO_5, now=start - timedelta(days=1))

    sends = list(Send.objects.filter(run=run).order_by("pk"))
    scheduled = [s for s in sends if s.status == SendStatus.SCHEDULED]
    assert run.status == RunStatus.SCHEDULED and run.scheduled_for == start
    assert [s.learner_id for s in scheduled] == [learner.pk for learner in learners]
    assert [s.next_attempt_at for s in scheduled] == sorted(s.next_attempt_at for s in scheduled)
    assert scheduled[0].next_attempt_at == start and run.last_due_at == scheduled[-1].next_attempt_at
    assert [s.skip_reason for s in sends if s.status == SendStatus.SKIPPED] == ["bounced"]
    assert run.window == WEEKDAYS_9_TO_5


@pytest.mark.django_db
def test_a_start_in_the_past_or_a_window_too_short_is_refused_and_no_run_is_left(org, campaign):
    LearnerFactory.create_batch(30, organization=org)
    campaign.organization.send_rate_per_second = 1
    campaign.organization.save()
    now = paris(2026, 12, 4, 9)
    tiny = SendWindow(weekdays=frozenset({5}), start=time(9), end=time(9, 0, 20), days=1)

    with pytest.raises(RunError, match="in the past"):
        schedule_new_run(campaign=campaign, start=now - timedelta(hours=1), now=now)
    with pytest.raises(RunError, match="30 messages at 1 per second"):
        schedule_new_run(campaign=campaign, start=now, window=tiny, now=now)

    assert not campaign.runs.exists()


@pytest.mark.django_db
def test_release_hands_out_only_the_sends_that_are_due_and_each_once(org, campaign, django_capture_on_commit_callbacks):
    LearnerFactory.create_batch(6, organization=org)
    start = paris(2026, 12, 4, 16, 0)
    run = schedule_new_run(campaign=campaign, start=start, window=WEEKDAYS_9_TO_5, now=start - timedelta(hours=1))
    sends = list(Send.objects.filter(run=run).order_by("next_attempt_at").values_list("pk", "next_attempt_at"))

    with django_capture_on_commit_callbacks() as enqueued:
        before = release_due_sends(now=start - timedelta(minutes=1))
        first = release_due_sends(now=sends[2][1])
        again = release_due_sends(now=sends[2][1])
        rest = release_due_sends(now=sends[-1][1] + timedelta(days=1))

    run.refresh_from_db()
    assert (before, first, again, rest) == (0, 3, 0, 3)
    assert run.status == RunStatus.SENDING and run.started_at == sends[2][1]
    # One send_chunk per release, over the id range of exactly the sends that fell due.
    assert [callback.args for callback in enqueued] == [
        (run.pk, sends[0][0], sends[2][0]),
        (run.pk, sends[3][0], sends[5][0]),
    ]


@pytest.mark.django_db
def test_a_worker_never_sends_a_scheduled_send_before_it_is_due(org, campaign, smtp_sink):
    LearnerFactory.create_batch(2, organization=org)
    run = schedule_new_run(campaign=campaign, start=timezone.now() + timedelta(hours=1))
    ids = sorted(Send.objects.filter(run=run).values_list("pk", flat=True))

    result = delivery.send_chunk(run_id=run.pk, first_id=ids[0], last_id=ids[-1])

    assert result.claimed == 0 and smtp_sink.messages == []
    assert set(Send.objects.filter(run=run).values_list("status", flat=True)) == {SendStatus.SCHEDULED}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_releases_at_once_release_every_due_send_once_and_send_it_once(org, campaign, smtp_sink):
    """The beat entry's task, as two workers would run it on the same tick."""
    learners = LearnerFactory.create_batch(40, organization=org)
    start = timezone.now() - timedelta(minutes=1)
    run = schedule_new_run(campaign=campaign, start=start)
    barrier, results, errors = threading.Barrier(2), [], []

    def release():
        try:
            barrier.wait()
            results.append(apply_and_return(beat_task("release-due-sends")))  # eager: chunks sent in this thread
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=release) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    recipients = [message.rcpt_tos[0] for message in smtp_sink.messages]
    assert errors == []
    assert sorted(results) == [0, 40]
    assert sorted(recipients) == sorted(learner.email for learner in learners)
    assert set(Send.objects.filter(run=run).values_list("status", flat=True)) == {SendStatus.SENT}


@pytest.mark.django_db
def test_cancelling_a_scheduled_run_skips_its_sends_with_the_reason_and_releases_nothing(org, campaign, admin_member):
    LearnerFactory.create_batch(3, organization=org)
    start = timezone.now() + timedelta(hours=2)
    run = schedule_new_run(campaign=campaign, start=start)

    skipped = cancel_run(run=run, cancelled_by=admin_member.user)
    released = release_due_sends(now=start + timedelta(hours=1))

    run.refresh_from_db()
    assert skipped == 3 and released == 0
    assert run.status == RunStatus.CANCELLED and run.cancelled_by == admin_member.user
    assert set(Send.objects.filter(run=run).values_list("status", "skip_reason")) == {(SendStatus.SKIPPED, "cancelled")}
    assert run.left_out == {"cancelled": 3}
    with pytest.raises(RunError, match="cannot be cancelled"):
        cancel_run(run=run)


@pytest.mark.django_db
def test_cancelling_during_sending_stops_the_worker_and_keeps_what_was_sent(org, campaign, smtp_sink, monkeypatch):
    LearnerFactory.create_batch(6, organization=org)
    run = schedule_new_run(campaign=campaign, start=timezone.now())
    ids = list(Send.objects.filter(run=run).order_by("pk").values_list("pk", flat=True))
    monkeypatch.setattr(delivery, "FLUSH_EVERY", 2)
    send_one, calls = delivery._send_one, []

    def send_then_cancel(chunk, session, limiter, send):
        send_one(chunk, session, limiter, send)
        calls.append(send.id)
        if len(calls) == 2:  # an admin cancels while the worker is between its second and third message
            cancel_run(run=run)

    monkeypatch.setattr(delivery, "_send_one", send_then_cancel)

    result = delivery.send_chunk(run_id=run.pk, first_id=ids[0], last_id=ids[-1])

    statuses = dict(Send.objects.filter(run=run).values_list("pk", "status"))
    assert result.sent == 2 and len(smtp_sink.messages) == 2
    assert [statuses[pk] for pk in ids] == [SendStatus.SENT] * 2 + [SendStatus.SKIPPED] * 4
    assert Send.objects.filter(run=run, skip_reason="cancelled").count() == 4


# Addresses on both sides of smtp_address's line: the run's sends must agree with it one by one.
ADDRESSES = {
    "good@school.example": "",
    "Mixed.Case@School.EXAMPLE": "",
    "o'brien+tag@school.example": "",
    '"quoted..local"@school.example': "",  # a quoted local part: valid, not a plain dot-atom
    "anna@bücher.example": "",  # an IDN domain: valid (sent in IDNA)
    "x" * 64 + "@school.example": "",
    "x" * 65 + "@school.example": "invalid_address",
    "ünïcode@school.example": "invalid_address",
    "not an address@school": "invalid_address",
    "a@b@school.example": "invalid_address",
    "trailing.@school.example": "invalid_address",
    "a..b@school.example": "invalid_address",
    "@school.example": "invalid_address",
    "no-at-sign": "invalid_address",
    "nobody@": "invalid_address",
    "a@-bad-.example": "invalid_address",
    "a@school.example\n": "invalid_address",
}


@pytest.mark.django_db
def test_each_send_is_scheduled_or_left_out_as_the_address_check_says_and_due_as_the_window_says(org, campaign):
    learners = [LearnerFactory(organization=org, email=email) for email in ADDRESSES]
    learners.insert(3, LearnerFactory(organization=org, email="gone@school.example", status="bounced"))
    # Friday, a minute before the window closes (three window days), and an odd microsecond: the
    # sends are a fraction of a microsecond apart, so rounding differently would show.
    start = paris(2026, 12, 4, 16, 59) + timedelta(microseconds=1)

    run = schedule_new_run(campaign=campaign, start=start, window=WEEKDAYS_9_TO_5, now=start - timedelta(days=1))

    sends = {send.learner_id: send for send in Send.objects.filter(run=run)}
    reasons = {learner.email: sends[learner.pk].skip_reason for learner in learners}
    assert reasons == {**ADDRESSES, "gone@school.example": "bounced"}
    assert all(smtp_address(email) is None for email, reason in reasons.items() if reason == "invalid_address")
    scheduled = [sends[learner.pk] for learner in learners if reasons[learner.email] == ""]
    assert {send.status for send in scheduled} == {SendStatus.SCHEDULED}
    expected = due_times(len(scheduled), start=start, window=WEEKDAYS_9_TO_5, zone=PARIS, rate=10)
    assert [send.next_attempt_at for send in scheduled] == expected  # to the microsecond
    assert len({t.astimezone(PARIS).date() for t in expected}) == 3  # Friday's minute, Monday, Tuesday
    assert run.last_due_at == expected[-1]
    assert run.left_out == {"invalid_address": 11, "bounced": 1}
    assert all(send.next_attempt_at is None for send in sends.values() if send.status == SendStatus.SKIPPED)
    assert all(send.domain == send.email.rpartition("@")[2].lower() for send in sends.values())
    tokens = [send.token for send in sends.values()]
    assert len(set(tokens)) == len(tokens)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", token) for token in tokens)
    assert all(len(base64.urlsafe_b64decode(token)) == 18 for token in tokens)


@pytest.mark.django_db
def test_scheduling_the_same_run_twice_writes_its_sends_once(org, campaign):
    LearnerFactory.create_batch(3, organization=org)
    start = paris(2026, 12, 4, 16)
    run = schedule_new_run(campaign=campaign, start=start, window=WEEKDAYS_9_TO_5, now=start - timedelta(days=1))

    with pytest.raises(RunError, match="already scheduled"):
        schedule_run(run=run, start=start, window=WEEKDAYS_9_TO_5, now=start - timedelta(days=1))

    assert Send.objects.filter(run=run).count() == 3


@pytest.mark.django_db
def test_a_listed_learner_who_bounced_is_still_scheduled_and_an_unlisted_one_never(org, campaign):
    add_never_suppress_entry(organization=org, entry="@acme.example", reason="Executives", added_by=None)
    listed = SendFactory(run__campaign=campaign, learner__email="ceo@acme.example", email="ceo@acme.example")
    unlisted = SendFactory(run__campaign=campaign, learner__email="ann@school.example", email="ann@school.example")
    for send in (listed, unlisted):
        apply_bounce_event(event=BounceEventFactory(send=send))
    start = paris(2026, 12, 4, 16)

    run = schedule_new_run(campaign=campaign, start=start, window=WEEKDAYS_9_TO_5, now=start - timedelta(days=1))

    sends = dict(Send.objects.filter(run=run).values_list("learner__email", "skip_reason"))
    assert sends == {"ceo@acme.example": "", "ann@school.example": "bounced"}
    assert run.left_out == {"bounced": 1}
