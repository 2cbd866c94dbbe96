"""Sending tasks: fan a run out in chunks, send a chunk, sweep for due retries, release scheduled sends.

Thin wrappers over ``campaigns.services.sending`` / ``delivery`` (STYLE rule 8);
``manage.py send_due`` is the sweep's twin for cron and debugging, ``manage.py
release_due_sends`` the release's. ``send_run``
and ``send_chunk`` are declared in ``campaigns.services.sending``, which enqueues
them when a run is launched; they are imported here for Celery's autodiscovery.
"""

from bounceportal.celery import app
from campaigns.services import scheduling
from campaigns.services.sending import finish_run_if_complete, send_chunk, send_run, sending_run_ids

__all__ = ["release_due_sends", "send_chunk", "send_due_sends", "send_run"]


@app.task(name="campaigns.release_due_sends")
def release_due_sends() -> int:
    """Hand the scheduled runs' sends that are due now to the workers; return how many."""
    return scheduling.release_due_sends()


@app.task(name="campaigns.send_due_sends")
def send_due_sends() -> int:
    """For every run still sending: enqueue its due retries and abandoned claims, or finish it.

    Returns how many runs are still sending.
    """
    pending = [run_id for run_id in sending_run_ids() if not finish_run_if_complete(run_id=run_id)]
    for run_id in pending:
        send_run.delay(run_id, due_only=True)
    return len(pending)
