"""Re-classification of stored inbound messages in the background (the admin's large selections)."""

from bounceportal.celery import app


@app.task(acks_late=True)
def reclassify_inbound_messages(message_ids: list[int], reclassified_by_id: int | None = None) -> int:
    """Re-classify these messages (by id) on behalf of a support user (by id); return how many.

    Safe to run twice: unchanged verdicts are no-ops. ``reclassified_by_id`` is
    optional only for tasks queued before it existed.
    """
    from django.contrib.auth import get_user_model

    from campaigns.models import InboundMessage
    from campaigns.services.ingestion import reclassify_messages

    user = get_user_model().objects.filter(pk=reclassified_by_id).first() if reclassified_by_id else None
    return reclassify_messages(messages=InboundMessage.objects.filter(pk__in=message_ids), reclassified_by=user)
