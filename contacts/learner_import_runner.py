"""Running a confirmed learner import chunk by chunk, with its progress and report on the LearnerImport row.

Called by the confirming request (small files) and by the Celery task (large
ones); it imports neither, so ``learner_import`` → ``tasks`` → here has no cycle.
"""

import csv
import io

from django.utils import timezone

from bounceportal.export import neutralize
from contacts.import_files import read_table
from contacts.learner_upsert import Outcome, RowPlan, apply_upsert, plan_upsert
from contacts.models import LearnerImport, LearnerImportStatus

CHUNK_ROWS = 5_000


def import_rows(job: LearnerImport, mapping: dict[str, str]) -> list[dict]:
    """The file's rows as {learner field: cell} through the mapping."""
    table = read_table(bytes(job.content), filename=job.file_name)
    columns = [(int(index), field) for index, field in mapping.items() if field]
    return [{field: row[index] for index, field in columns} for row in table.rows]


def process_import(*, job_id: int) -> LearnerImport:
    """Run a confirmed import chunk by chunk (planned afresh against the learners as they are now)."""
    claimed = LearnerImport.objects.filter(pk=job_id, status=LearnerImportStatus.QUEUED).update(
        status=LearnerImportStatus.RUNNING
    )
    job = LearnerImport.objects.select_related("organization", "created_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        plans = plan_upsert(organization=job.organization, rows=import_rows(job, job.mapping))
        counts = dict.fromkeys(Outcome.ALL, 0)
        note = f"Learner import {job.pk} ({job.file_name})"
        for start in range(0, len(plans), CHUNK_ROWS):
            chunk = plans[start : start + CHUNK_ROWS]
            for outcome, n in apply_upsert(
                organization=job.organization, plans=chunk, actor=job.created_by, note=note
            ).items():
                counts[outcome] += n
            LearnerImport.objects.filter(pk=job.pk).update(done=start + len(chunk), counts=counts)
    except Exception as error:
        LearnerImport.objects.filter(pk=job.pk).update(
            status=LearnerImportStatus.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now()
        )
        raise
    LearnerImport.objects.filter(pk=job.pk).update(
        status=LearnerImportStatus.DONE, counts=counts, report=_report(plans), finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _report(plans: list[RowPlan]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "email", "outcome", "changes", "errors"])
    for plan in plans:
        changes = "; ".join(f"{name}: {old} → {new}" for name, (old, new) in plan.changes.items())
        # Neutralized: the report opens in a spreadsheet, and the cells are the uploader's text.
        writer.writerow([plan.number, neutralize(plan.email), plan.outcome, neutralize(changes), " ".join(plan.errors)])
    return out.getvalue()
