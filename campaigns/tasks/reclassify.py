"""Re-classification of stored inbound messages in the background (the admin's large selections)."""

from bounceportal.celery import app


@app.task(acks_late=True)
def reclassify_inbound_messages(message_ids: list[int]) -> int:
    """Re-classify these messages (by id); return how many. Safe to run twice: unchanged verdicts are no-ops."""
    from campaigns.models import InboundMessage
    from campaigns.services.ingestion import reclassify_messages

    return reclassify_messages(messages=InboundMessage.objects.filter(pk__in=message_ids))
