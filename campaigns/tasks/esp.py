"""Celery task for large ESP webhook batches: the view verified the request, the worker ingests it.

A request with more events than ESP_WEBHOOK_SYNC_EVENTS is answered at once and its events, already
normalized and JSON-ready, travel here in batches of 1,000; ingestion is idempotent by the
service's event id, so a retried task changes nothing twice.
"""

from bounceportal.celery import app
from campaigns.models import EspConnection
from campaigns.services.esp.events import TrackingEvent
from campaigns.services.esp.webhooks import ingest_in_batches


@app.task(acks_late=True, max_retries=5, default_retry_delay=30)
def ingest_esp_events_task(connection_id: int, events: list[dict]) -> int:
    """Ingest one batch of a connection's events; return how many were new."""
    connection = EspConnection.objects.filter(pk=connection_id).first()
    if connection is None:
        return 0
    return ingest_in_batches(connection=connection, events=[TrackingEvent(**event) for event in events]).stored


def queue_esp_events(*, connection: EspConnection, events: list[TrackingEvent], batch_size: int = 1000) -> int:
    """Send the events to the worker in batches; return how many were queued."""
    for start in range(0, len(events), batch_size):
        ingest_esp_events_task.delay(connection.pk, [vars(event) for event in events[start : start + batch_size]])
    return len(events)
