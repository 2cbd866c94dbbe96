"""Celery tasks for bounce mailboxes: beat finds the due ones, one task polls one mailbox.

Both are thin (STYLE rule 8): ids in, the service does the work. A mailbox that
cannot be read is retried with exponential backoff; its failure is recorded on
the mailbox and never stops the other mailboxes' tasks.
"""

import logging
import random
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bounceportal.celery import app
from campaigns.mailboxes import MailboxError
from campaigns.models import BounceMailbox
from campaigns.services.ingestion import poll_mailbox_once
from campaigns.services.locks import redis_client

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600
MAX_RETRIES = 8


def backoff_delay(failures: int) -> int:
    """Exponential backoff before jitter: base, 2×base, 4×base … capped at an hour."""
    base = settings.MAILBOX_RETRY_BACKOFF_SECONDS
    return min(base * 2 ** max(failures - 1, 0), MAX_BACKOFF_SECONDS)


def backoff_seconds(failures: int) -> int:
    """Exponential backoff with up to a tenth of jitter (see backoff_delay)."""
    delay = backoff_delay(failures)
    return int(delay + random.uniform(0, delay / 10))


def _queued_key(mailbox_id: int) -> str:
    return f"bounceportal:mailbox-queued:{mailbox_id}"


@app.task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def poll_mailbox(self, mailbox_id: int, helper: bool = False) -> dict | None:
    """Poll one mailbox (by id) to the end; retry with backoff when it cannot be read.

    A poll that finds a backlog asks for MAILBOX_POLLERS - 1 helpers: more tasks on the same
    mailbox, each claiming other ranges of it (``mailbox_claims``), so idle workers share it.
    """
    if settings.REDIS_URL and not helper:
        redis_client(settings.REDIS_URL).delete(_queued_key(mailbox_id))
    mailbox = BounceMailbox.objects.filter(pk=mailbox_id, enabled=True).first()
    if mailbox is None:
        return None
    on_backlog = None if helper or self.request.is_eager else partial(_enqueue_helpers, mailbox_id)
    try:
        return poll_mailbox_once(mailbox=mailbox, on_backlog=on_backlog).as_dict()
    except MailboxError as exc:
        if self.request.is_eager:  # in-process (the demo): recorded on the mailbox; beat tries again later
            return {"mailbox_id": mailbox_id, "error": str(exc)}
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries + 1)) from None


def _enqueue_helpers(mailbox_id: int) -> None:
    for _ in range(settings.MAILBOX_POLLERS - 1):
        poll_mailbox.apply_async((mailbox_id,), {"helper": True})


def due_mailbox_ids(now=None) -> list[int]:
    """Enabled mailboxes whose interval has passed since the last poll (longer while they keep failing)."""
    now = now or timezone.now()
    due = []
    for pk, last, interval, failures in BounceMailbox.objects.filter(enabled=True).values_list(
        "pk", "last_polled_at", "poll_interval_seconds", "consecutive_failures"
    ):
        wait = max(interval, backoff_seconds(failures) if failures else 0)
        if last is None or last + timedelta(seconds=wait) <= now:
            due.append(pk)
    return due


@app.task
def poll_due_mailboxes() -> list[int]:
    """Enqueue a poll of every due mailbox not already waiting in the queue; return their ids."""
    queued = []
    for mailbox_id in due_mailbox_ids():
        if settings.REDIS_URL and not redis_client(settings.REDIS_URL).set(
            _queued_key(mailbox_id), 1, nx=True, ex=max(settings.CELERY_BEAT_TICK_SECONDS * 10, 300)
        ):
            continue  # enqueued by an earlier tick and not started yet
        transaction.on_commit(partial(poll_mailbox.delay, mailbox_id))
        queued.append(mailbox_id)
    return queued
