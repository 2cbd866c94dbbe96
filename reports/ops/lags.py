"""How far behind the background work is: mailbox polls, due sends, the beat heartbeat.

Read by ``/readyz`` (against thresholds) and by ``/metrics`` (as gauges). Each is
one small query; none depends on a customer's server being healthy (see
``mailbox_poll_lag_seconds``).
"""

from datetime import datetime

from django.db.models import Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import BounceMailbox, CampaignRun, RunStatus, Send
from campaigns.services.delivery import PENDING_STATUSES, lease_expiry
from campaigns.tasks.ingestion import backoff_delay
from reports.ops.models import Heartbeat
from reports.ops.tasks import BEAT


def mailbox_poll_lag_seconds(now: datetime | None = None) -> float:
    """Return how long the most overdue enabled mailbox has waited past its next poll (0 when none is late).

    A mailbox is due ``poll_interval_seconds`` after its last poll *attempt*, or
    later while it keeps failing (the task's backoff plus its jitter). A
    customer's server that refuses logins is therefore not lag (it shows in
    ``bounceportal_mailbox_poll_failures_total``): lag means our beat or
    workers are not getting to the mailboxes. Never-polled mailboxes are
    covered by the beat heartbeat.
    """
    now = now or timezone.now()
    worst = 0.0
    for last, interval, failures in BounceMailbox.objects.filter(
        enabled=True, last_polled_at__isnull=False
    ).values_list("last_polled_at", "poll_interval_seconds", "consecutive_failures"):
        if last is None:  # excluded by the filter; never-polled mailboxes are the heartbeat's to catch
            continue
        wait = max(interval, backoff_delay(failures) * 1.1 if failures else 0)
        worst = max(worst, (now - last).total_seconds() - wait)
    return worst


def send_queue_lag_seconds(now: datetime | None = None) -> float:
    """Return the age of the oldest send that is due in a sending run and not claimed by a live worker."""
    now = now or timezone.now()
    oldest = (
        Send.objects.filter(
            run__in=CampaignRun.objects.filter(status=RunStatus.SENDING),
            status__in=PENDING_STATUSES,
        )
        .exclude(next_attempt_at__gt=now)
        .exclude(claimed_at__gte=lease_expiry(now))
        .aggregate(oldest=Min(Coalesce("next_attempt_at", "created_at")))["oldest"]
    )
    return max((now - oldest).total_seconds(), 0.0) if oldest else 0.0


def beat_heartbeat_age_seconds(now: datetime | None = None) -> float | None:
    """Return the age of the last beat heartbeat, or None when there has never been one."""
    beat_at = Heartbeat.objects.filter(name=BEAT).values_list("beat_at", flat=True).first()
    if beat_at is None:
        return None
    return max(((now or timezone.now()) - beat_at).total_seconds(), 0.0)
