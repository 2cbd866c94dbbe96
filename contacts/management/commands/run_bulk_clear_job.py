"""Run (or resume) a confirmed bulk-clear job without Celery: the twin of contacts.tasks.run_bulk_clear_job."""

from django.core.management.base import BaseCommand, CommandError

from contacts.bulk_clear_runner import process_bulk_clear_job
from contacts.models import BulkClearJob, BulkClearJobStatus


class Command(BaseCommand):
    help = "Clear the learners of a confirmed bulk-clear job, resuming after its last finished chunk."

    def add_arguments(self, parser):
        parser.add_argument("job_id", type=int)

    def handle(self, *args, job_id, **options):
        job = BulkClearJob.objects.filter(pk=job_id).only("status").first()
        if job is None:
            raise CommandError(f"There is no bulk-clear job {job_id}.")
        if job.status == BulkClearJobStatus.DRAFT:
            raise CommandError(f"Bulk-clear job {job_id} was never confirmed: confirm it in the admin first.")
        if job.status == BulkClearJobStatus.FAILED:
            BulkClearJob.objects.filter(pk=job_id).update(status=BulkClearJobStatus.RUNNING, error="")
        job = process_bulk_clear_job(job_id=job_id)
        self.stdout.write(
            f"Bulk-clear job {job.pk}: {job.get_status_display()}, {job.done} of {job.total} "
            f"processed, {job.cleared} cleared."
        )
