"""Campaign runs: create, schedule (one Send per targeted learner), launch, fan out, finish.

Scheduling writes every targeted learner's Send in one statement
(``campaigns.services.send_rows``): deliverable learners get a ``scheduled``
send with a fresh token; learners left out get a ``skipped`` send whose
``skip_reason`` says why (``bounced``, ``unsubscribed``, ``invalid_address``),
so run details can list them, and the run's ``left_out`` JSON counts them by
reason. Sending itself is
``campaigns.services.delivery.send_chunk``, fanned out by the ``send_run`` and
``send_chunk`` tasks declared here: launching enqueues them, and this module
cannot import ``campaigns.tasks`` (which imports it) without an import cycle.
"""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from bounceportal.celery import app
from campaigns.audience import AudienceError, audience_q, validate_audience
from campaigns.merge_fields import merge_field_problems
from campaigns.models import Campaign, CampaignRun, RunStatus, Send, SendStatus
from campaigns.send_windows import DuePlan, SendWindow, WindowError, due_plan
from campaigns.services.delivery import PENDING_STATUSES, lease_expiry
from campaigns.services.delivery import send_chunk as send_chunk_service
from campaigns.services.guard import rearm_baseline
from campaigns.services.messages import is_valid_sender
from campaigns.services.run_events import record_run_event
from campaigns.services.send_rows import write_sends
from contacts.models import Learner
from contacts.services import policy_for
from contacts.webhook_models import WebhookEventType

logger = logging.getLogger(__name__)


class RunError(Exception):
    """A run cannot be created, scheduled or launched; the message says why (shown to the user)."""


def campaign_problems(campaign: Campaign) -> list[str]:
    """Return why the campaign cannot be sent (empty when it can)."""
    problems = []
    if not campaign.subject.strip():
        problems.append("The campaign has no subject.")
    if not campaign.body_text.strip() and not campaign.body_html.strip():
        problems.append("The campaign has an empty body.")
    if not is_valid_sender(campaign.from_email):
        problems.append(f"The sender address {campaign.from_email!r} is not a valid email address.")
    for where, text in (
        ("subject", campaign.subject),
        ("text body", campaign.body_text),
        ("HTML body", campaign.body_html),
    ):
        problems += merge_field_problems(text, where=where)
    return problems


def learners_for_run(run: CampaignRun):
    """Return the learners the run targets: its organization's learners that ``run.audience`` selects.

    Raises RunError when the stored audience is not valid (see ``campaigns.audience``).
    """
    condition = audience_q(_valid_audience(run.audience), policy=policy_for(run.organization_id))
    return Learner.objects.for_organization(run.organization_id).filter(condition)


def create_run(
    *, campaign: Campaign, audience: dict | None = None, created_by=None, esp_connection=None
) -> CampaignRun:
    """Create a draft run of the campaign for the learners ``audience`` selects (everyone when empty),
    sent through ``esp_connection`` (one of the organization's, enabled for sending) or else by SMTP.

    Raises RunError when the audience does not follow the schema of ``campaigns.audience`` or the
    connection may not send this organization's mail.
    """
    if esp_connection is not None and not (
        esp_connection.organization_id == campaign.organization_id
        and esp_connection.enabled
        and esp_connection.sending_enabled
    ):
        raise RunError(gettext("That email service connection is not enabled for sending this organization's runs."))
    return CampaignRun.objects.create(
        organization=campaign.organization,
        campaign=campaign,
        audience=_valid_audience(audience),
        created_by=created_by,
        esp_connection=esp_connection,
    )


def _valid_audience(audience) -> dict:
    try:
        return validate_audience(audience or {})
    except AudienceError as error:
        raise RunError(gettext("The audience is not valid: %(error)s") % {"error": error}) from None


def _lock_run(run: CampaignRun) -> CampaignRun:
    return CampaignRun.objects.select_for_update().select_related("campaign", "organization").get(pk=run.pk)


def schedule_run(*, run: CampaignRun, now=None, start=None, window: SendWindow | None = None) -> CampaignRun:
    """Create the run's sends: scheduled for deliverable learners, skipped (with the reason) for the rest.

    With ``start`` the sends fall due at that time, or spread over ``window``
    (in the organization's time zone, at its rate) from then on; the release
    task (``campaigns.services.scheduling``) hands them to the workers when due.
    Raises RunError unless the run is a draft whose campaign can be sent, or
    when the window cannot hold the run. Returns the run, now ``scheduled``,
    with ``left_out`` counted by reason.
    """
    now = now or timezone.now()
    with transaction.atomic():
        run = _lock_run(run)
        if run.status != RunStatus.DRAFT:
            raise RunError(
                gettext("Run %(number)s is already %(status)s.")
                % {"number": run.pk, "status": run.get_status_display().lower()}
            )
        if run.campaign.organization_id != run.organization_id:
            raise RunError(gettext("The run's organization is not its campaign's organization."))
        problems = campaign_problems(run.campaign)
        if problems:
            raise RunError(" ".join(problems))
        plan_for = None
        if start is not None:
            organization = run.organization

            def plan_for(count: int) -> DuePlan:
                try:
                    return due_plan(
                        count,
                        start=start,
                        window=window,
                        zone=organization.zone,
                        rate=organization.send_rate_per_second,
                    )
                except WindowError as error:
                    raise RunError(str(error)) from None

            run.scheduled_for = start
            if window is not None:
                run.window_weekdays, run.window_start, run.window_end = window.weekday_code, window.start, window.end
                run.window_days = window.days
        written = write_sends(run=run, learners=learners_for_run(run), now=now, plan_for=plan_for)
        if start is not None:
            run.last_due_at = written.last_due_at or start
        run.status = RunStatus.SCHEDULED
        run.left_out = written.left_out
        run.save(update_fields=["status", "left_out", *_SCHEDULE_FIELDS])
    return run


_SCHEDULE_FIELDS = ("scheduled_for", "window_weekdays", "window_start", "window_end", "window_days", "last_due_at")


def launch_run(*, run: CampaignRun, now=None) -> CampaignRun:
    """Start sending the run (scheduling it first if it is a draft); return it.

    A run that is already sending is resumed: its pending sends are fanned out
    again (claims make that safe). The chunks are enqueued after commit.
    Raises RunError for a finished or cancelled run, or one that cannot be scheduled.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if run.status == RunStatus.DRAFT:
            schedule_run(run=run, now=now)
        run = _lock_run(run)
        if run.status not in (RunStatus.SCHEDULED, RunStatus.SENDING):
            raise RunError(
                gettext("Run %(number)s is %(status)s; it cannot be launched.")
                % {"number": run.pk, "status": run.get_status_display().lower()}
            )
        if run.status == RunStatus.SCHEDULED:
            run.status, run.started_at = RunStatus.SENDING, now
            run.save(update_fields=["status", "started_at"])
        if not finish_run_if_complete(run_id=run.pk, now=now):
            transaction.on_commit(partial(_enqueue_run, run.pk))
    run.refresh_from_db()
    return run


def resume_run(*, run: CampaignRun, resumed_by=None, now=None) -> CampaignRun:
    """Resume a run the guard paused: it sends again, and the guard is re-armed (it judges only
    what happens from now on). The pending sends are fanned out after commit.

    Raises RunError unless the run is paused.
    """
    with transaction.atomic():
        run = _lock_run(run)
        if run.status != RunStatus.PAUSED:
            raise RunError(
                gettext("Run %(number)s is %(status)s, not paused.")
                % {"number": run.pk, "status": run.get_status_display().lower()}
            )
        run.status, run.pause_reason, run.paused_at = RunStatus.SENDING, "", None
        run.guard_baseline = rearm_baseline(run.pk)
        run.save(update_fields=["status", "pause_reason", "paused_at", "guard_baseline"])
        logger.info("Run %s resumed by %s", run.pk, resumed_by or "the system")
        if not finish_run_if_complete(run_id=run.pk, now=now):
            transaction.on_commit(partial(_enqueue_run, run.pk))
    run.refresh_from_db()
    return run


def launch_new_run(
    *, campaign: Campaign, audience: dict | None = None, created_by=None, esp_connection=None
) -> CampaignRun:
    """Create a run of the campaign for the audience's learners and launch it at once (all or nothing)."""
    with transaction.atomic():
        run = create_run(campaign=campaign, audience=audience, created_by=created_by, esp_connection=esp_connection)
        return launch_run(run=run)


def _enqueue_run(run_id: int) -> None:
    send_run.delay(run_id)


@app.task(name="campaigns.send_run")
def send_run(run_id: int, due_only: bool = False) -> int:
    """Enqueue one send_chunk per SEND_CHUNK_SIZE pending sends of the run; return how many."""
    ranges = chunk_ranges(run_id=run_id, chunk_size=settings.SEND_CHUNK_SIZE, due_only=due_only)
    for first_id, last_id in ranges:
        send_chunk.delay(run_id, first_id, last_id)
    return len(ranges)


@app.task(name="campaigns.send_chunk")
def send_chunk(run_id: int, first_id: int, last_id: int) -> dict:
    """Send the run's due sends in [first_id, last_id] over one SMTP connection; finish the run if it can."""
    result = send_chunk_service(run_id=run_id, first_id=first_id, last_id=last_id)
    finish_run_if_complete(run_id=run_id)
    return vars(result)


def _pending(run_id: int, *, due_only: bool, now):
    sends = Send.objects.filter(run_id=run_id, status__in=PENDING_STATUSES)
    if due_only:
        # Due retries, and sends whose worker died holding the claim; not sends
        # whose chunk is still waiting in the queue (they have no claim yet).
        expired_claim = Q(claimed_at__lt=lease_expiry(now))
        sends = sends.filter(
            Q(status=SendStatus.DEFERRED, next_attempt_at__lte=now, claimed_at__isnull=True) | expired_claim
        )
    return sends


def chunk_ranges(*, run_id: int, chunk_size: int, due_only: bool = False, now=None) -> list[tuple[int, int]]:
    """Return (first id, last id) ranges of at most ``chunk_size`` of the run's pending sends.

    With ``due_only`` only deferred sends whose retry time has come and sends
    whose claim expired count.
    """
    now = now or timezone.now()
    ids = list(_pending(run_id, due_only=due_only, now=now).order_by("pk").values_list("pk", flat=True))
    return [(ids[i], ids[min(i + chunk_size, len(ids)) - 1]) for i in range(0, len(ids), chunk_size)]


def finish_run_if_complete(*, run_id: int, now=None) -> bool:
    """Mark a sending run done when none of its sends is scheduled or deferred; return True if it is done.

    The one that marks it done records ``run.finished`` for the organization's webhooks.
    """
    now = now or timezone.now()
    if Send.objects.filter(run_id=run_id, status__in=PENDING_STATUSES).exists():
        return False
    with transaction.atomic(savepoint=False):  # no SAVEPOINT round trips: the caller's transaction, if any
        done = CampaignRun.objects.filter(pk=run_id, status=RunStatus.SENDING)
        organization_id = done.values_list("organization_id", flat=True).first()
        if organization_id is not None and done.update(status=RunStatus.DONE, finished_at=now):
            record_run_event(run_id=run_id, organization_id=organization_id, event_type=WebhookEventType.RUN_FINISHED)
    return True


def sending_run_ids() -> list[int]:
    """Ids of the runs still sending (the periodic sweep looks at these)."""
    return list(CampaignRun.objects.filter(status=RunStatus.SENDING).order_by("pk").values_list("pk", flat=True))
