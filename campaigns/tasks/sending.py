"""Sending tasks: fan a run out in chunks, send a chunk, and sweep for due retries.

Thin wrappers over ``campaigns.services.sending`` / ``delivery`` (STYLE rule 8);
``manage.py send_due`` is the sweep's twin for cron and debugging.
"""

from django.conf import settings

from bounceportal.celery import app
from campaigns.services.delivery import send_chunk as send_chunk_service
from campaigns.services.sending import chunk_ranges, finish_run_if_complete, sending_run_ids


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


@app.task(name="campaigns.send_due_sends")
def send_due_sends() -> int:
    """For every run still sending: enqueue its due retries and abandoned claims, or finish it.

    Returns how many runs are still sending.
    """
    pending = [run_id for run_id in sending_run_ids() if not finish_run_if_complete(run_id=run_id)]
    for run_id in pending:
        send_run.delay(run_id, due_only=True)
    return len(pending)
