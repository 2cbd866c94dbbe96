"""The Celery task that delivers the outbox (registered through ``contacts.tasks``)."""

from bounceportal.celery import app
from contacts.webhooks.delivery import deliver_due_webhooks as deliver


@app.task(name="contacts.deliver_due_webhooks", acks_late=True)
def deliver_due_webhooks() -> int:
    """After commit and on every beat tick: POST the due webhook deliveries; return how many (safe to overlap)."""
    return deliver()
