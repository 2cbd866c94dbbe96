"""Celery tasks of the contacts app (thin: they take ids and call a service, STYLE rule 8)."""

from bounceportal.celery import app
from contacts.bulk_clear_runner import process_bulk_clear_job
from contacts.learner_import_runner import process_import
from contacts.webhooks.tasks import deliver_due_webhooks  # noqa: F401 -- registered from here


@app.task(acks_late=True)
def run_bulk_clear_job(job_id: int) -> int:
    """Clear a confirmed bulk-clear job's learners; return how many were cleared."""
    return process_bulk_clear_job(job_id=job_id).cleared


@app.task(name="contacts.release_expired_suppressions", acks_late=True)
def release_expired_suppressions() -> int:
    """Beat: release the learners whose soft suppression has expired; return how many (safe to overlap)."""
    from contacts.deliverability import release_expired_suppressions as release

    return release()


@app.task(acks_late=True)
def run_learner_import(job_id: int) -> int:
    """Run a confirmed learner import; return how many rows it processed."""
    return process_import(job_id=job_id).done
