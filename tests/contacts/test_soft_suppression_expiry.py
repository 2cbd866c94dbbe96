"""Soft suppressions expire and escalate: 7 days, doubling on each repeat up to 90; hard bounces,
complaints and unsubscribes never expire; the beat task releases them once, even run concurrently."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from campaigns.services.policy import apply_bounce_event, record_delivery
from campaigns.services.unsubscribe import UnsubscribeVia, unsubscribe_learner
from contacts.choices import ClearedVia, DeliverabilityStatus
from contacts.deliverability import release_expired_suppressions
from contacts.models import BouncePolicy, Clearance, Learner
from tests.eager import apply_and_return
from tests.factories import BLOCK, COMPLAINT, SOFT, BounceEventFactory, LearnerFactory, SendFactory

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0)


def soft_suppress(send, now, kind=SOFT, count=10):
    for _ in range(count):
        apply_bounce_event(event=BounceEventFactory(send=send, **kind), now=now)
    send.learner.refresh_from_db()
    return send.learner


def test_soft_bounces_suppress_for_seven_days(org):
    learner = soft_suppress(SendFactory(run__campaign__organization=org), T0)

    assert learner.status == DeliverabilityStatus.BOUNCED
    assert (learner.retry_at, learner.soft_suppressions) == (T0 + timedelta(days=7), 1)


def test_each_further_suppression_doubles_the_wait_up_to_the_cap(org):
    BouncePolicy.objects.filter(organization=org).update(soft_suppression_days=7, soft_suppression_max_days=20)
    send = SendFactory(run__campaign__organization=org)
    waits, now = [], T0

    for _ in range(3):
        learner = soft_suppress(send, now, kind=BLOCK)
        waits.append((learner.retry_at - now).days)
        now = learner.retry_at
        assert release_expired_suppressions(now=now) == 1

    assert waits == [7, 14, 20]


def test_a_delivery_after_the_release_starts_the_escalation_again(org):
    send = SendFactory(run__campaign__organization=org)
    learner = soft_suppress(send, T0)
    release_expired_suppressions(now=learner.retry_at)

    record_delivery(send=SendFactory(run__campaign__organization=org, learner=learner))
    learner = soft_suppress(send, T0 + timedelta(days=8))

    assert learner.retry_at == T0 + timedelta(days=15) and learner.soft_suppressions == 1


@pytest.mark.parametrize("kind", [{}, COMPLAINT], ids=["hard bounce", "complaint"])
def test_hard_bounces_and_complaints_never_expire(org, kind):
    send = SendFactory(run__campaign__organization=org)

    apply_bounce_event(event=BounceEventFactory(send=send, **kind), now=T0)

    send.learner.refresh_from_db()
    assert send.learner.is_suppressed and send.learner.retry_at is None
    assert release_expired_suppressions(now=T0 + timedelta(days=3650)) == 0


def test_an_unsubscribe_never_expires(org):
    send = SendFactory(run__campaign__organization=org)

    unsubscribe_learner(send=send, via=UnsubscribeVia.LINK, now=T0)

    assert release_expired_suppressions(now=T0 + timedelta(days=3650)) == 0
    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.UNSUBSCRIBED and send.learner.retry_at is None
    assert not Clearance.objects.exists()


def test_a_hard_bounce_makes_a_soft_suppression_permanent(org):
    send = SendFactory(run__campaign__organization=org)
    soft_suppress(send, T0)

    event = apply_bounce_event(event=BounceEventFactory(send=send), now=T0 + timedelta(days=1))

    send.learner.refresh_from_db()
    assert send.learner.retry_at is None and send.learner.status_event_id == event.pk
    assert (send.learner.status_reason, event.outcome) == ("userunknown", "suppressed")


def test_the_release_is_audited_and_done_once(org):
    learner = soft_suppress(SendFactory(run__campaign__organization=org), T0)
    hard = SendFactory(run__campaign__organization=org)
    apply_bounce_event(event=BounceEventFactory(send=hard), now=T0)
    not_yet = soft_suppress(SendFactory(run__campaign__organization=org), T0 + timedelta(days=1))

    first = release_expired_suppressions(now=T0 + timedelta(days=7))
    second = release_expired_suppressions(now=T0 + timedelta(days=7))

    learner.refresh_from_db()
    clearance = Clearance.objects.get()
    assert (first, second) == (1, 0)
    assert (learner.status, learner.retry_at, learner.soft_bounce_count) == ("active", None, 0)
    assert (clearance.learner, clearance.via, clearance.cleared_by) == (learner, ClearedVia.EXPIRY, None)
    assert (clearance.previous_status, clearance.previous_subtype) == ("bounced", "mailbox_full")
    assert Learner.objects.get(pk=not_yet.pk).is_bounced and Learner.objects.get(pk=hard.learner_id).is_bounced


def test_an_organization_can_keep_soft_suppressions_for_good(org):
    BouncePolicy.objects.filter(organization=org).update(soft_suppression_days=0)

    learner = soft_suppress(SendFactory(run__campaign__organization=org), T0)

    assert learner.is_bounced and learner.retry_at is None and learner.soft_suppressions == 0


def test_the_command_twin_releases_what_is_due(org):
    soft_suppress(SendFactory(run__campaign__organization=org), timezone.now() - timedelta(days=8))

    out = io.StringIO()
    call_command("release_suppressions", stdout=out)

    assert "Released 1 learner" in out.getvalue() and not Learner.objects.filter(status="bounced").exists()


def test_the_profile_says_when_the_learner_will_be_retried(admin_client, org):
    learner = soft_suppress(SendFactory(run__campaign__organization=org), T0)

    page = admin_client.get(reverse("contacts:learner-detail", args=[learner.pk])).content.decode()

    assert f"Will be retried on {timezone.localtime(learner.retry_at):%Y-%m-%d %H:%M}" in page


def test_the_longest_wait_must_be_at_least_the_first(admin_client, org):
    from tests.contacts.test_settings_views import VALID_POLICY

    response = admin_client.post(
        reverse("contacts:settings-policy"),
        {**VALID_POLICY, "soft_suppression_days": 30, "soft_suppression_max_days": 10},
    )

    assert response.status_code == 200 and "at least the first waiting period" in response.content.decode()
    assert BouncePolicy.objects.get(organization=org).soft_suppression_max_days == 90


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_releasing_at_once_release_each_learner_once(org):
    policy_now = timezone.now() - timedelta(days=8)
    learners = LearnerFactory.create_batch(300, organization=org, status="bounced", retry_at=policy_now)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(release_expired_suppressions(batch_size=25))
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and sum(results) == len(learners)
    assert Clearance.objects.filter(via=ClearedVia.EXPIRY).count() == len(learners)
    assert not Clearance.objects.values("learner").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not Learner.objects.filter(status="bounced").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_run_twice_at_once_releases_each_learner_once(org, settings):
    import contacts.tasks  # noqa: F401 -- registers the beat task
    from bounceportal.celery import app

    task = app.tasks[settings.CELERY_BEAT_SCHEDULE["release-expired-suppressions"]["task"]]
    learners = LearnerFactory.create_batch(200, organization=org, status="bounced", retry_at=T0 - timedelta(days=1))
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(apply_and_return(task))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and sum(results) == len(learners)
    assert Clearance.objects.filter(via=ClearedVia.EXPIRY).count() == len(learners)
    assert not Clearance.objects.values("learner").annotate(n=Count("pk")).filter(n__gt=1).exists()
