"""Soft suppressions that expire (DESIGN §3): a learner bounced for soft bounces or mail blocks is
sendable again at ``retry_at``; hard bounces, complaints and unsubscribes never expire.

The release is a clear like any other: a Clearance (``via=expiry``, no user) snapshots the state
it replaces, in the transaction that resets the learner. Safe with several workers and idempotent:
each batch claims its learners with ``SELECT … FOR UPDATE SKIP LOCKED`` in id order and re-checks
``status`` and ``retry_at`` under the lock, so two workers never release the same learner, and a
learner cleared, re-suppressed or released meanwhile is left alone.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bounceportal.db import pk_in
from contacts.choices import ClearedVia, DeliverabilityStatus
from contacts.deliverability.clearing import cleared_fields, insert_clearances
from contacts.models import Learner
from contacts.webhooks.events import record_cleared

RELEASE_BATCH = 1_000
EXPIRY_NOTE = "Soft suppression expired: the learner is tried again."


def release_expired_suppressions(*, now=None, batch_size: int = RELEASE_BATCH) -> int:
    """Make every learner whose soft suppression has expired active again; return how many were released."""
    now = now or timezone.now()
    total = 0
    while True:
        released = _release_batch(now, batch_size)
        total += released
        if released < batch_size:
            return total


def _release_batch(now, batch_size: int) -> int:
    with transaction.atomic():
        due = Learner.objects.filter(status=DeliverabilityStatus.BOUNCED, retry_at__lte=now)
        ids = list(due.order_by("pk").select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return 0
        locked = Learner.objects.filter(pk_in(ids)).order_by()
        insert_clearances(locked, cleared_by=None, via=ClearedVia.EXPIRY, note=EXPIRY_NOTE, now=now)
        locked.update(times_cleared=F("times_cleared") + 1, **cleared_fields(now))
        record_cleared(locked, via=ClearedVia.EXPIRY, now=now)
    return len(ids)
