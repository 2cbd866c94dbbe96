"""Bulk clears, portal and support (DESIGN §6–7): snapshot a selection, confirm it with a note, clear it in chunks.

A selection becomes a draft ``BulkClearJob`` holding the ids of its bounced
learners, so the confirmation page shows exactly what will be cleared and a
selection of any size ("select all 80,000") travels as one id. Confirming
starts the job: small jobs are cleared in the request, large ones by a Celery
task; either way ``contacts.bulk_clear_runner`` clears them chunk by chunk
through ``contacts.deliverability`` (one Clearance audit row each). The portal's
bulk clear and the admin's (selection, address list) are the same jobs: the
same limit, the same repeat-bouncer guard, the same progress.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext

from contacts.bulk_clear_runner import process_bulk_clear_job
from contacts.choices import DeliverabilityStatus
from contacts.models import BulkClearJob, BulkClearJobStatus, Learner, Organization
from contacts.tasks import run_bulk_clear_job

logger = logging.getLogger(__name__)

# A learner cleared this many times before needs an explicit confirmation (the guard rail).
REPEAT_CLEAR_THRESHOLD = 3
# Jobs up to this size are cleared during the confirming request; larger ones by the worker.
SYNC_LIMIT = 2_000
# Matching an address list: addresses per query (the IN list of a lower(email) index scan).
MATCH_BATCH = 5_000
# How many entries of each address-list outcome the preview keeps for display.
PREVIEW_KEEP = 500
DRAFTS_KEPT_FOR = timedelta(days=1)
# The confirmation page names this many of the organizations a selection spans.
ORGANIZATIONS_SHOWN = 10


class BulkClearError(Exception):
    """The job cannot be confirmed or run as asked; the message says why."""


def prepare_bulk_clear(
    *, learners: QuerySet, created_by, via: str, description: str = "", organization=None, preview=None
) -> BulkClearJob:
    """Return a draft job holding the bounced learners of ``learners`` (nothing is cleared yet).

    ``organization`` marks a job made inside one organization (the portal's),
    which then only that organization's pages show; ``preview`` keeps how the
    selection was made (e.g. the list's filters) for the confirmation page.
    """
    bounced = learners.filter(status=DeliverabilityStatus.BOUNCED).order_by()
    learner_ids = sorted(set(bounced.values_list("pk", flat=True)))
    repeat_ids = sorted(set(bounced.filter(times_cleared__gte=REPEAT_CLEAR_THRESHOLD).values_list("pk", flat=True)))
    per_organization = list(
        bounced.values_list("organization__name")
        .annotate(learners=Count("pk", distinct=True))
        .order_by("-learners", "organization__name")
    )
    return _create_draft(
        created_by=created_by,
        via=via,
        description=description,
        organization=organization,
        preview=preview or {},
        learner_ids=learner_ids,
        repeat_ids=repeat_ids,
        selected_count=learners.order_by().count(),
        organization_count=len(per_organization),
        by_organization=[list(pair) for pair in per_organization[:ORGANIZATIONS_SHOWN]],
    )


def _create_draft(*, learner_ids: list[int], repeat_ids: list[int], **fields) -> BulkClearJob:
    """Create the draft job, dropping drafts nobody confirmed within a day."""
    fields["description"] = fields.get("description", "")[:300]
    with transaction.atomic():
        BulkClearJob.objects.filter(
            status=BulkClearJobStatus.DRAFT, created_at__lt=timezone.now() - DRAFTS_KEPT_FOR
        ).delete()
        return BulkClearJob.objects.create(
            learner_ids=learner_ids, repeat_ids=repeat_ids, total=len(learner_ids), **fields
        )


def confirm_bulk_clear(*, job: BulkClearJob, note: str, repeat_confirmed: bool = False) -> BulkClearJob:
    """Start a draft job with the support note; return it (done if it was small enough).

    Raise BulkClearError when the job is not a draft, the note is empty, or it
    includes repeatedly cleared learners and ``repeat_confirmed`` is false.
    """
    note = note.strip()
    if not note:
        raise BulkClearError(gettext("A note is required: say why these bounce statuses are cleared."))
    if job.repeat_ids and not repeat_confirmed:
        raise BulkClearError(
            gettext(
                "%(count)s of these learners were cleared %(threshold)s or more times before: "
                "confirm that you want to clear them again."
            )
            % {"count": len(job.repeat_ids), "threshold": REPEAT_CLEAR_THRESHOLD}
        )
    with transaction.atomic():
        claimed = BulkClearJob.objects.filter(pk=job.pk, status=BulkClearJobStatus.DRAFT).update(
            status=BulkClearJobStatus.QUEUED,
            note=note,
            confirmed_at=timezone.now(),
        )
        if not claimed:
            raise BulkClearError(gettext("This bulk clear was already confirmed."))
        if job.total > SYNC_LIMIT:
            transaction.on_commit(lambda: run_bulk_clear_job.delay(job.pk))
    if job.total <= SYNC_LIMIT:
        try:
            process_bulk_clear_job(job_id=job.pk)
        except Exception:  # recorded on the job, whose page shows it; what was cleared stays cleared
            logger.exception("Bulk clear job %s failed", job.pk)
    job.refresh_from_db()
    return job


def match_addresses(*, organization: Organization, addresses: list[str]) -> dict:
    """Sort an address list against an organization's learners.

    Return {"bounced": [(learner id, times cleared)], "not_bounced": [(email, status)],
    "not_found": [address]}; addresses are compared case-insensitively, through the
    lower(email) unique index.
    """
    found: dict[str, tuple] = {}
    for start in range(0, len(addresses), MATCH_BATCH):
        batch = [address.lower() for address in addresses[start : start + MATCH_BATCH]]
        rows = (
            Learner.objects.filter(organization=organization)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=batch)
            .values_list("email_lower", "pk", "email", "status", "times_cleared")
        )
        found.update((row[0], row[1:]) for row in rows)
    result: dict[str, list] = {"bounced": [], "not_bounced": [], "not_found": []}
    for address in addresses:
        match = found.get(address.lower())
        if match is None:
            result["not_found"].append(address)
        elif match[2] == DeliverabilityStatus.BOUNCED:
            result["bounced"].append((match[0], match[3]))
        else:
            result["not_bounced"].append((match[1], match[2]))
    return result


def prepare_address_list_clear(
    *, organization: Organization, addresses: list[str], invalid: list[str], created_by, via: str
) -> BulkClearJob:
    """Return a draft job for the bounced learners of an address list, with the preview of the rest."""
    matched = match_addresses(organization=organization, addresses=addresses)
    bounced = sorted(matched["bounced"])
    preview = {
        "addresses": len(addresses),
        "not_bounced_count": len(matched["not_bounced"]),
        "not_bounced": matched["not_bounced"][:PREVIEW_KEEP],
        "not_found_count": len(matched["not_found"]),
        "not_found": matched["not_found"][:PREVIEW_KEEP],
        "invalid_count": len(invalid),
        "invalid": invalid[:PREVIEW_KEEP],
    }
    return _create_draft(
        created_by=created_by,
        via=via,
        organization=organization,
        preview=preview,
        selected_count=len(addresses),
        organization_count=1 if bounced else 0,
        by_organization=[[organization.name, len(bounced)]] if bounced else [],
        description=f"Address list of {len(addresses)} addresses for {organization.name}",
        learner_ids=[pk for pk, _times in bounced],
        repeat_ids=[pk for pk, times in bounced if times >= REPEAT_CLEAR_THRESHOLD],
    )
