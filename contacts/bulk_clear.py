"""Support bulk clears (DESIGN §7): snapshot a selection, confirm it with a note, clear it in chunks.

A selection becomes a draft ``BulkClearJob`` holding the ids of its bounced
learners, so the confirmation page shows exactly what will be cleared and a
selection of any size ("select all 80,000") travels as one id. Confirming
starts the job: small jobs are cleared in the request, large ones by a Celery
task. Every learner is cleared through ``clear_bounce_statuses`` (one Clearance
audit row each), chunk by chunk, each chunk in one transaction together with
the job's progress, so a crashed worker resumes where it stopped and a
duplicate delivery of the task clears nothing twice.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from bounceportal.db import pk_in
from contacts.choices import DeliverabilityStatus
from contacts.models import BulkClearJob, BulkClearJobStatus, Learner, Organization
from contacts.services import clear_bounce_statuses

logger = logging.getLogger(__name__)

# A learner cleared this many times before needs an explicit confirmation (the guard rail).
REPEAT_CLEAR_THRESHOLD = 3
# Jobs up to this size are cleared during the confirming request; larger ones by the worker.
SYNC_LIMIT = 2_000
CHUNK_SIZE = 5_000
# Matching an address list: addresses per query (the IN list of a lower(email) index scan).
MATCH_BATCH = 5_000
# How many entries of each address-list outcome the preview keeps for display.
PREVIEW_KEEP = 500
DRAFTS_KEPT_FOR = timedelta(days=1)
# The confirmation page names this many of the organizations a selection spans.
ORGANIZATIONS_SHOWN = 10


class BulkClearError(Exception):
    """The job cannot be confirmed or run as asked; the message says why."""


def prepare_bulk_clear(*, learners: QuerySet, created_by, via: str, description: str = "") -> BulkClearJob:
    """Return a draft job holding the bounced learners of ``learners`` (nothing is cleared yet)."""
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
    from contacts.tasks import run_bulk_clear_job

    note = note.strip()
    if not note:
        raise BulkClearError("A note is required: say why these bounce statuses are cleared.")
    if job.repeat_ids and not repeat_confirmed:
        raise BulkClearError(
            f"{len(job.repeat_ids)} of these learners were cleared {REPEAT_CLEAR_THRESHOLD} "
            "or more times before: confirm that you want to clear them again."
        )
    with transaction.atomic():
        claimed = BulkClearJob.objects.filter(pk=job.pk, status=BulkClearJobStatus.DRAFT).update(
            status=BulkClearJobStatus.QUEUED,
            note=note,
            confirmed_at=timezone.now(),
        )
        if not claimed:
            raise BulkClearError("This bulk clear was already confirmed.")
        if job.total > SYNC_LIMIT:
            transaction.on_commit(lambda: run_bulk_clear_job.delay(job.pk))
    if job.total <= SYNC_LIMIT:
        try:
            process_bulk_clear_job(job_id=job.pk)
        except Exception:  # recorded on the job, whose page shows it; what was cleared stays cleared
            logger.exception("Bulk clear job %s failed", job.pk)
    job.refresh_from_db()
    return job


def process_bulk_clear_job(*, job_id: int, chunk_size: int | None = None) -> BulkClearJob:
    """Clear the job's learners chunk by chunk from where it stopped; return the finished job.

    Each chunk clears its learners and advances ``done`` in one transaction
    under a lock on the job row, so two workers given the same job take turns
    and a restart continues after the last committed chunk.
    """
    job = BulkClearJob.objects.get(pk=job_id)
    if job.status not in (BulkClearJobStatus.QUEUED, BulkClearJobStatus.RUNNING):
        return job
    learner_ids = job.learner_ids
    chunk_size = chunk_size or CHUNK_SIZE
    try:
        while _clear_next_chunk(job, learner_ids, chunk_size):
            pass
    except Exception as error:
        BulkClearJob.objects.filter(pk=job.pk).update(
            status=BulkClearJobStatus.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        raise
    job.refresh_from_db()
    return job


def _clear_next_chunk(job: BulkClearJob, learner_ids: list[int], chunk_size: int) -> bool:
    """Clear the next chunk; return False once the job is finished."""
    with transaction.atomic():
        locked = (
            BulkClearJob.objects.select_for_update()
            .only("status", "done", "cleared", "total", "note", "via", "created_by")
            .get(pk=job.pk)
        )
        if locked.status not in (BulkClearJobStatus.QUEUED, BulkClearJobStatus.RUNNING):
            return False
        chunk = learner_ids[locked.done : locked.done + chunk_size]
        cleared = 0
        if chunk:
            cleared = clear_bounce_statuses(
                learners=Learner.objects.filter(pk_in(chunk)),
                cleared_by=locked.created_by,
                via=locked.via,
                note=locked.note,
            )
        locked.done += len(chunk)
        locked.cleared += cleared
        finished = locked.done >= locked.total
        locked.status = BulkClearJobStatus.DONE if finished else BulkClearJobStatus.RUNNING
        locked.finished_at = timezone.now() if finished else None
        locked.save(update_fields=["done", "cleared", "status", "finished_at"])
        return not finished


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
