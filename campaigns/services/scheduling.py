"""Scheduled runs: schedule a run for a time (and a send window), release its due sends, cancel it.

A scheduled run's sends carry their due time in ``next_attempt_at``, which the
worker's claim already honours (a send is never claimed before it is due), so
a chunk enqueued early cannot send early. The release task hands the sends due
since the run's ``released_until`` mark to the workers, in id ranges, and moves
the mark in the same transaction as it reads the range, holding the run's row
lock: a second releaser at the same time skips the locked run (``SKIP LOCKED``)
and the next tick starts from the new mark, so no send is released twice, and
the claims make sure none is sent twice even if a chunk were.

Cancelling turns the run's unsent sends into ``skipped`` (reason ``cancelled``);
a worker in the middle of a chunk stops at its next write-back
(``campaigns.services.delivery``), and what it had sent stays sent.
"""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from campaigns.models import Campaign, CampaignRun, RunStatus, Send, SendStatus
from campaigns.send_windows import SendWindow
from campaigns.services.delivery import PENDING_STATUSES
from campaigns.services.run_events import record_run_event
from campaigns.services.sending import RunError, create_run, schedule_run, send_chunk
from contacts.webhook_models import WebhookEventType

CANCELLED = "cancelled"
# A start a few minutes in the past (the form took a while to fill in) means "now".
PAST_GRACE = timedelta(minutes=5)


def schedule_new_run(
    *,
    campaign: Campaign,
    start: datetime,
    window: SendWindow | None = None,
    audience: dict | None = None,
    created_by=None,
    now=None,
) -> CampaignRun:
    """Create a run of the campaign scheduled for ``start`` (spread over ``window``); all or nothing.

    Raises RunError when the start is in the past, the audience or campaign is
    not valid, or the window cannot hold the run at the organization's rate.
    """
    now = now or timezone.now()
    if start < now - PAST_GRACE:
        raise RunError(gettext("The scheduled time is in the past."))
    with transaction.atomic():
        run = create_run(campaign=campaign, audience=audience, created_by=created_by)
        return schedule_run(run=run, now=now, start=start, window=window)


def release_due_sends(*, now=None) -> int:
    """Hand every scheduled run's sends due by ``now`` to the workers; return how many were released.

    Safe to run several times at once (see the module's docstring).
    """
    now = now or timezone.now()
    candidates = CampaignRun.objects.filter(
        status__in=(RunStatus.SCHEDULED, RunStatus.SENDING), scheduled_for__lte=now
    ).exclude(released_until__gte=now)
    released = 0
    for run_id in candidates.order_by("pk").values_list("pk", flat=True):
        released += release_run(run_id=run_id, now=now)
    return released


def release_run(*, run_id: int, now=None) -> int:
    """Release the run's sends that fell due since its last release (locked; skipped if another holds it)."""
    now = now or timezone.now()
    with transaction.atomic():
        run = (
            CampaignRun.objects.select_for_update(skip_locked=True)
            .filter(pk=run_id, status__in=(RunStatus.SCHEDULED, RunStatus.SENDING))
            .first()
        )
        if run is None or run.scheduled_for is None or run.scheduled_for > now:
            return 0
        if run.released_until is not None and run.released_until >= now:
            return 0
        due = Send.objects.filter(run_id=run_id, status=SendStatus.SCHEDULED, next_attempt_at__lte=now)
        if run.released_until is not None:
            due = due.filter(next_attempt_at__gt=run.released_until)
        ids = list(due.order_by("pk").values_list("pk", flat=True))
        fields = ["released_until"]
        run.released_until = now
        if run.status == RunStatus.SCHEDULED:
            run.status, run.started_at = RunStatus.SENDING, now
            fields += ["status", "started_at"]
        run.save(update_fields=fields)
        size = settings.SEND_CHUNK_SIZE
        for first in range(0, len(ids), size):
            chunk = (run_id, ids[first], ids[min(first + size, len(ids)) - 1])
            transaction.on_commit(partial(send_chunk.delay, *chunk))
    return len(ids)


def cancel_run(*, run: CampaignRun, cancelled_by=None, now=None) -> int:
    """Cancel a run before or during sending; return how many unsent sends became ``skipped`` (cancelled).

    Raises RunError when the run is done or already cancelled.
    """
    now = now or timezone.now()
    with transaction.atomic():
        run = CampaignRun.objects.select_for_update().get(pk=run.pk)
        if not run.can_be_cancelled:
            raise RunError(
                gettext("Run %(number)s is %(status)s; it cannot be cancelled.")
                % {"number": run.pk, "status": run.get_status_display().lower()}
            )
        skipped = Send.objects.filter(run=run, status__in=PENDING_STATUSES).update(
            status=SendStatus.SKIPPED,
            skip_reason=CANCELLED,
            claimed_at=None,
            next_attempt_at=None,
            status_changed_at=now,
        )
        run.status, run.cancelled_at, run.cancelled_by, run.finished_at = RunStatus.CANCELLED, now, cancelled_by, now
        run.left_out[CANCELLED] = run.left_out.get(CANCELLED, 0) + skipped
        run.save(update_fields=["status", "cancelled_at", "cancelled_by", "finished_at", "left_out"])
        record_run_event(run_id=run.pk, organization_id=run.organization_id, event_type=WebhookEventType.RUN_FINISHED)
    return skipped
