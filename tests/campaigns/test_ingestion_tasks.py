"""Beat's view of the mailboxes: which are due, with backoff for failing ones; the poll task itself."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import bounce_generator as gen
from campaigns.models import InboundMessage
from campaigns.tasks.ingestion import backoff_seconds, due_mailbox_ids, poll_due_mailboxes, poll_mailbox
from tests.campaigns.conftest import drop, original_of
from tests.factories import BounceMailboxFactory

pytestmark = pytest.mark.django_db


def test_mailboxes_are_due_on_their_interval_and_failing_ones_back_off(org, settings):
    settings.MAILBOX_RETRY_BACKOFF_SECONDS = 60
    now = timezone.now()
    never = BounceMailboxFactory(organization=org)
    recent = BounceMailboxFactory(
        organization=org, last_polled_at=now - timedelta(seconds=100), poll_interval_seconds=300
    )
    overdue = BounceMailboxFactory(
        organization=org, last_polled_at=now - timedelta(seconds=301), poll_interval_seconds=300
    )
    failing = BounceMailboxFactory(
        organization=org, last_polled_at=now - timedelta(seconds=400), poll_interval_seconds=300, consecutive_failures=5
    )
    BounceMailboxFactory(organization=org, enabled=False)

    due = due_mailbox_ids(now)

    assert set(due) == {never.pk, overdue.pk}
    assert failing.pk in due_mailbox_ids(now + timedelta(seconds=backoff_seconds(5) * 2))
    assert recent.pk not in due


def test_backoff_doubles_and_is_capped_at_an_hour(settings):
    settings.MAILBOX_RETRY_BACKOFF_SECONDS = 60

    delays = [backoff_seconds(n) for n in (1, 2, 3, 20)]

    assert 60 <= delays[0] <= 66 and 120 <= delays[1] <= 132 and 240 <= delays[2] <= 264
    assert 3600 <= delays[3] <= 3960


def test_beat_task_enqueues_due_mailboxes_after_commit(
    maildir_mailbox, maildir, send, django_capture_on_commit_callbacks
):
    drop(maildir, gen.postfix_dsn(original_of(send)))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = poll_due_mailboxes()

    assert queued == [maildir_mailbox.pk] and len(callbacks) == 1
    assert InboundMessage.objects.filter(mailbox=maildir_mailbox).count() == 1


def test_poll_task_records_a_failure_and_leaves_other_mailboxes_alone(org, maildir_mailbox, maildir, send):
    broken = BounceMailboxFactory(organization=org, protocol="maildir", folder="/nonexistent")
    drop(maildir, gen.postfix_dsn(original_of(send)))

    failed = poll_mailbox.delay(broken.pk).get()
    worked = poll_mailbox.delay(maildir_mailbox.pk).get()

    broken.refresh_from_db()
    assert "not a Maildir" in failed["error"] and broken.consecutive_failures == 1
    assert worked["stored"] == 1


def test_poll_task_ignores_disabled_and_deleted_mailboxes(org):
    disabled = BounceMailboxFactory(organization=org, enabled=False)

    assert poll_mailbox.delay(disabled.pk).get() is None
    assert poll_mailbox.delay(999_999).get() is None
