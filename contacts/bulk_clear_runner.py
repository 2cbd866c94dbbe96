"""Running a confirmed bulk clear: its learners cleared chunk by chunk, with its progress on the job row.

Both the confirming request (small jobs) and the Celery task / management
command (large ones) call ``process_bulk_clear_job``; it imports neither, so
``contacts.bulk_clear`` → ``contacts.tasks`` → here has no cycle.
"""

from django.db import transaction
from django.utils import timezone

from bounceportal.db import pk_in
from contacts.deliverability import clear_bounce_statuses
from contacts.models import BulkClearJob, BulkClearJobStatus, Learner

CHUNK_SIZE = 5_000


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
