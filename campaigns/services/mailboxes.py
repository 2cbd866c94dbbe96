"""Saving a bounce mailbox's settings and secrets (the portal's mailbox pages call this)."""

import logging

from django.db import transaction

from campaigns.mailboxes.oauth import forget_access_token
from campaigns.models import BounceMailbox

logger = logging.getLogger(__name__)


def save_bounce_mailbox(
    *,
    mailbox: BounceMailbox,
    password: str = "",
    oauth_client_secret: str = "",
    oauth_refresh_token: str = "",
    changed_by=None,
) -> BounceMailbox:
    """Save the mailbox; each non-empty secret replaces the stored one, an empty one keeps it.

    Secrets are encrypted before they reach the database and never logged. A
    changed setting clears the failure streak so the next poll is not held back.
    """
    with transaction.atomic():
        if password:
            mailbox.set_password(password)
        mailbox.set_oauth_secrets(client_secret=oauth_client_secret or None, refresh_token=oauth_refresh_token or None)
        creating = mailbox.pk is None
        mailbox.consecutive_failures = 0
        mailbox.save()
    forget_access_token(mailbox.pk)
    logger.info(
        "Bounce mailbox %s %s by %s (secrets changed: %s)",
        mailbox.pk,
        "created" if creating else "updated",
        changed_by,
        ", ".join(
            name
            for name, value in (
                ("password", password),
                ("client secret", oauth_client_secret),
                ("refresh token", oauth_refresh_token),
            )
            if value
        )
        or "none",
    )
    return mailbox
