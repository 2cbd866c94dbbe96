"""Saving a bounce mailbox's settings and secrets (the portal's mailbox pages and the Django admin call this)."""

import logging

from django.db import transaction

from campaigns.mailboxes.oauth import forget_access_token
from campaigns.models import BounceMailbox, MailboxChange

logger = logging.getLogger(__name__)

# The settings a person edits (not the poll statistics, which the worker writes).
AUDITED_FIELDS = (
    "organization",
    "name",
    "protocol",
    "host",
    "port",
    "security",
    "username",
    "folder",
    "processed_action",
    "processed_folder",
    "poll_interval_seconds",
    "enabled",
    "oauth_client_id",
    "oauth_token_endpoint",
)
# Settings that point at another folder: the processed-UID mark of the old one means nothing there.
WHERE_FIELDS = ("protocol", "host", "port", "username", "folder")


def save_bounce_mailbox(
    *,
    mailbox: BounceMailbox,
    changed_by,
    via: str,
    password: str = "",
    oauth_client_secret: str = "",
    oauth_refresh_token: str = "",
) -> BounceMailbox:
    """Save the mailbox and its ``MailboxChange`` audit row; each non-empty secret replaces the stored one.

    Secrets are encrypted before they reach the database and never logged or audited by value
    (the row names them). A save that changes nothing writes no row. A changed setting clears
    the failure streak so the next poll is not held back; a changed host, account or folder
    forgets the IMAP processed-UID mark (the next poll lists the folder whole, digests skip the known).
    """
    secrets = [
        name
        for name, value in (
            ("password", password),
            ("OAuth client secret", oauth_client_secret),
            ("OAuth refresh token", oauth_refresh_token),
        )
        if value
    ]
    with transaction.atomic():
        creating = mailbox.pk is None
        changed = _changed_fields(mailbox) + secrets
        if password:
            mailbox.set_password(password)
        mailbox.set_oauth_secrets(client_secret=oauth_client_secret or None, refresh_token=oauth_refresh_token or None)
        mailbox.consecutive_failures = 0
        if set(changed) & set(WHERE_FIELDS):
            mailbox.imap_uidvalidity, mailbox.imap_last_uid = None, 0
        mailbox.save()
        if creating or changed:
            MailboxChange.objects.create(
                mailbox=mailbox,
                organization_id=mailbox.organization_id,
                changed_by=changed_by if getattr(changed_by, "pk", None) else None,
                via=via,
                created=creating,
                fields=changed,
            )
    forget_access_token(mailbox.pk)
    logger.info(
        "Bounce mailbox %s %s by %s via %s (changed: %s)",
        mailbox.pk,
        "created" if creating else "updated",
        changed_by,
        via,
        ", ".join(changed) or "nothing",
    )
    return mailbox


def _changed_fields(mailbox: BounceMailbox) -> list[str]:
    """The audited settings whose value differs from the stored row (all that are set, for a new one)."""
    attnames = [name + "_id" if name == "organization" else name for name in AUDITED_FIELDS]
    stored = BounceMailbox.objects.filter(pk=mailbox.pk).values(*attnames).first() if mailbox.pk else None
    if stored is None:
        return [name for name, attname in zip(AUDITED_FIELDS, attnames) if getattr(mailbox, attname) not in ("", None)]
    return [name for name, attname in zip(AUDITED_FIELDS, attnames) if stored[attname] != getattr(mailbox, attname)]
