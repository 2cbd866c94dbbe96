"""The run guard (DESIGN §3): a run that is going wrong pauses itself.

The guard reads the run's summary counters (campaigns/counters.py, kept by the writes in
the same transaction) as ``attempted``: sends tried at least once; ``hard``: hard bounces;
``complaint``: spam complaints; ``block:<product>``: mail blocks a filter product or
provider named. After every batch of outcomes, from the sending worker or from ingested
bounces, it compares the rates since the run was last resumed (``CampaignRun.guard_baseline``)
with the organization's thresholds, once at least ``run_guard_min_sends`` sends were tried.
A crossing pauses the run with one conditional UPDATE (status sending → paused): with
several workers on the same run exactly one wins it and the admins get one email. A
paused run's workers stop at their next batch and give back the claims on what they
did not send: those sends stay scheduled. Resuming (``sending.resume_run``) re-arms the
guard by taking the counters as they are then as the new baseline.

Counts are of current events: a re-classified bounce is taken off them like off every
other count of the run.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone

from bounceportal.query_by_ids import QueryByIds
from campaigns.counters import attempted_of, counts_for_runs
from campaigns.models import CampaignRun, RunStatus, Send
from campaigns.services.run_events import record_run_event
from contacts.choices import Category
from contacts.models import BouncePolicy
from contacts.services import policy_for
from contacts.webhook_models import WebhookEventType

logger = logging.getLogger(__name__)

ATTEMPTED, HARD, COMPLAINT, BLOCK = "attempted", "hard", "complaint", "block:"
_PRODUCT = "block.product:"


def guard_counts(counts) -> dict[str, int]:
    """The guard's keys read from a run's summary counters."""
    found = {
        ATTEMPTED: attempted_of(counts),
        HARD: counts.get("cat:hard", 0),
        COMPLAINT: counts.get("cat:complaint", 0),
    }
    found.update({BLOCK + key[len(_PRODUCT) :]: n for key, n in counts.items() if key.startswith(_PRODUCT)})
    return found


def _may_count(event) -> bool:
    return event.category in (Category.HARD, Category.COMPLAINT) or (
        event.category == Category.BLOCK and bool(event.filter_product)
    )


@dataclass(frozen=True)
class GuardReading:
    """A run's rates since its last resume, and what the policy makes of them."""

    attempted: int
    hard: int
    complaints: int
    top_block: tuple[str, int]  # (product, blocked sends)
    pause_reason: str
    reviews: tuple[str, ...]

    @property
    def judged(self) -> bool:
        return bool(self.pause_reason or self.reviews)


def _pct(count: int, attempted: int) -> Decimal:
    return Decimal(100 * count) / attempted if attempted else Decimal(0)


def read_guard(counts: dict[str, int], baseline: dict[str, int], policy: BouncePolicy) -> GuardReading:
    """Return the run's reading: its rates since the baseline, the reason to pause (or ""), the reviews."""
    since = {key: n - int(baseline.get(key, 0)) for key, n in counts.items()}
    attempted, hard, complaints = since.get(ATTEMPTED, 0), since.get(HARD, 0), since.get(COMPLAINT, 0)
    blocks = sorted(((n, key[len(BLOCK) :]) for key, n in since.items() if key.startswith(BLOCK)), reverse=True)
    top = (blocks[0][1], blocks[0][0]) if blocks else ("", 0)
    if attempted < policy.run_guard_min_sends:
        return GuardReading(attempted, hard, complaints, top, "", ())
    hard_rate, complaint_rate, block_share = _pct(hard, attempted), _pct(complaints, attempted), _pct(top[1], attempted)
    of = f"of {attempted} sends"
    pauses = [
        (hard_rate, policy.run_guard_hard_pause, f"hard-bounce rate {hard_rate:.1f} % {of} reached the pause rate"),
        (
            complaint_rate,
            policy.run_guard_complaint_pause,
            f"complaint rate {complaint_rate:.2f} % {of} reached the pause rate",
        ),
        (block_share, policy.run_guard_block_pause, f"{top[0]} blocked {block_share:.1f} % {of}, the pause share"),
    ]
    reason = next((f"{text} ({limit} %)" for rate, limit, text in pauses if rate and rate >= limit), "")
    reviews = []
    if hard_rate and hard_rate >= policy.run_guard_hard_review:
        reviews.append(f"hard-bounce rate {hard_rate:.1f} % (review at {policy.run_guard_hard_review} %)")
    if complaint_rate and complaint_rate >= policy.run_guard_complaint_review:
        reviews.append(f"complaint rate {complaint_rate:.2f} % (review at {policy.run_guard_complaint_review} %)")
    return GuardReading(attempted, hard, complaints, top, reason[:300], tuple(reviews))


def counters_of(run_ids) -> dict[int, dict[str, int]]:
    """``run id -> {key: count}`` of the guard's keys (one query)."""
    return {run_id: guard_counts(counts) for run_id, counts in counts_for_runs(run_ids).items()}


def reading_of(run: CampaignRun, counts, policy: BouncePolicy) -> GuardReading:
    """The guard's reading from the run's summary counters already read (no query)."""
    return read_guard(guard_counts(counts), run.guard_baseline or {}, policy)


def guard_runs(run_ids, *, now=None) -> set[int]:
    """Pause the runs among ``run_ids`` whose rates cross the policy; return those not sending any more.

    Two queries (the runs with their policies, the counters of those sending), plus one UPDATE per run
    paused.
    """
    ids = {run_id for run_id in run_ids if run_id}
    if not ids:
        return set()
    return _guard(list(CampaignRun.objects.filter(pk__in=ids).select_related("organization__bounce_policy")), now=now)


def _runs_of_sends(ids_q):
    return CampaignRun.objects.filter(pk__in=Send.objects.filter(ids_q).values("run_id")).select_related(
        "organization__bounce_policy"
    )


# The runs of these sends, with their policies: compiled once (a one-event transaction of ingestion or a
# webhook asks for it after each hard bounce or complaint, and building it cost more than running it).
_RUNS_OF_SENDS = QueryByIds(_runs_of_sends)


def _guard(runs: list[CampaignRun], *, now=None) -> set[int]:
    """guard_runs over these runs, read with their policies (the counters only of runs that are
    sending: only a sending run can be paused)."""
    now = now or timezone.now()
    stopped = {run.pk for run in runs if run.status in (RunStatus.PAUSED, RunStatus.CANCELLED)}
    watched = [run for run in runs if run.status == RunStatus.SENDING and _policy(run).run_guard_enabled]
    counters = counters_of(run.pk for run in watched) if watched else {}
    for run in watched:
        reading = read_guard(counters.get(run.pk, {}), run.guard_baseline or {}, _policy(run))
        if reading.pause_reason and pause_run(run_id=run.pk, reason=reading.pause_reason, now=now):
            stopped.add(run.pk)
    return stopped


def _policy(run: CampaignRun) -> BouncePolicy:
    try:
        return run.organization.bounce_policy
    except BouncePolicy.DoesNotExist:
        return policy_for(run.organization_id)


def pause_run(*, run_id: int, reason: str, now=None) -> bool:
    """Pause a sending run (one conditional UPDATE); True for the caller that paused it.

    The organization's admins are emailed after commit, once; ``run.paused`` goes to its webhooks.
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):  # no SAVEPOINT round trips: the caller's transaction, if any
        paused = CampaignRun.objects.filter(pk=run_id, status=RunStatus.SENDING).update(
            status=RunStatus.PAUSED, paused_at=now, pause_reason=reason[:300]
        )
        if paused:
            logger.warning("Run %s paused by the run guard: %s", run_id, reason)
            organization_id = CampaignRun.objects.values_list("organization_id", flat=True).get(pk=run_id)
            record_run_event(run_id=run_id, organization_id=organization_id, event_type=WebhookEventType.RUN_PAUSED)
            transaction.on_commit(partial(email_admins_about_pause, run_id))
    return bool(paused)


def email_admins_about_pause(run_id: int) -> None:
    """Tell the organization's admins (each in their language) that the guard paused the run, why, and
    where to resume it."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils.translation import gettext

    from contacts.admin_mail import mail_admins_of

    run = CampaignRun.objects.select_related("campaign").get(pk=run_id)
    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("campaigns:run-detail", args=[run.pk])

    def compose() -> tuple[str, str]:
        values = {"number": run.pk, "campaign": run.campaign.name, "reason": run.pause_reason, "link": link}
        subject = gettext("[BouncePortal] Run %(number)s of %(campaign)s paused") % values
        body = (
            gettext(
                "The run guard paused run %(number)s of “%(campaign)s”: %(reason)s.\n\n"
                "Nothing more is sent; the unsent messages stay scheduled. Check the run's bounces and your "
                "sending configuration, then resume the run from its page:\n%(link)s\n"
            )
            % values
        )
        return subject, body

    mail_admins_of(run.organization_id, compose)


def rearm_baseline(run_id: int) -> dict[str, int]:
    """The counters as they are now: the baseline a resumed run is judged from."""
    return counters_of([run_id]).get(run_id, {})


def record_event_outcomes(events) -> None:
    """Guard the runs whose reading these stored events can change (ingestion's path; the sending
    worker guards its run in its flush). The events counted themselves when they were stored."""
    guard_read_runs(runs_to_guard(events))


def runs_to_guard(events) -> list[CampaignRun]:
    """The runs whose reading these events can change, with their policies (one query, none when no
    event can count). The policy reads them before it applies the events: nothing it writes changes
    a run, and read after its writes the query would send them on their own (bounceportal.held_writes)."""
    # Only these categories count: the others need no look-up of their runs.
    telling = [event for event in events if event.send_id and _may_count(event)]
    return _RUNS_OF_SENDS({event.send_id for event in telling}) if telling else []


def guard_read_runs(runs: list[CampaignRun], *, now=None) -> set[int]:
    """guard_runs over runs already read (``runs_to_guard``): the counters of those sending, once the
    events are stored."""
    return _guard(runs, now=now) if runs else set()
