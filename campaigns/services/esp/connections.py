"""Saving an ESP connection's settings and secrets (the portal's pages call this)."""

import logging

from django.db import transaction

from campaigns.esp_models import EspConnection

logger = logging.getLogger(__name__)


def save_esp_connection(*, connection: EspConnection, secrets: dict[str, str], changed_by=None) -> EspConnection:
    """Save the connection; each non-empty secret replaces the stored one (encrypted, never logged)."""
    with transaction.atomic():
        creating = connection.pk is None
        connection.set_secrets(**secrets)
        connection.save()
    logger.info(
        "ESP connection %s %s by %s (secrets changed: %s)",
        connection.pk,
        "created" if creating else "updated",
        changed_by,
        ", ".join(sorted(name for name, value in secrets.items() if value)) or "none",
    )
    return connection
