"""Retention in the background: the beat task that purges raw bodies past RAW_RETENTION_DAYS."""

from bounceportal.celery import app


@app.task(name="campaigns.purge_raw_bodies")
def purge_raw_bodies_task() -> dict:
    """Purge every raw body past the retention period (batches of short transactions); return the counts."""
    from campaigns.services.retention import purge_raw_bodies

    result = purge_raw_bodies()
    return {"messages": result.messages, "message_bytes": result.message_bytes, "esp_events": result.esp_events}
