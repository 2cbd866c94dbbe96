"""Celery tasks of the campaigns app, one module per concern (imported here for autodiscovery).

Tasks are thin: they take ids, load objects and call a service (STYLE rule 8).
"""

from campaigns.tasks import sending  # noqa: F401
from campaigns.tasks.esp import ingest_esp_events_task  # noqa: F401
from campaigns.tasks.ingestion import poll_due_mailboxes, poll_mailbox  # noqa: F401
from campaigns.tasks.reclassify import reclassify_inbound_messages  # noqa: F401
from campaigns.tasks.retention import purge_raw_bodies_task  # noqa: F401
