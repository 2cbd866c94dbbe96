"""Celery tasks of the reports app (thin, STYLE rule 8); ``manage.py send_digests`` is the twin."""

from bounceportal.celery import app
from reports.digest import send_due_digests as send


@app.task(name="reports.send_due_digests", acks_late=True)
def send_due_digests() -> int:
    """Beat: mail the admins' digests whose period is over; return how many went out (safe to overlap)."""
    return send()
