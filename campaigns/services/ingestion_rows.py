"""The ``InboundMessage`` rows a poll inserts, as plain objects: one per message, read by one INSERT.

A model instance's ``__init__`` (a descriptor and a signal per field) cost more than everything else
done to build the row; ``insert_new_rows`` reads only the columns' attnames and sets ``pk``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bounceportal.db import clean_text, insert_new_rows
from campaigns.models import InboundKind, InboundMessage, MatchedBy
from campaigns.services.inbound import classifier_version, header_text

COLUMNS = (
    "organization",
    "mailbox",
    "digest",
    "content_digest",
    "raw",
    "size",
    "truncated",
    "received_at",
    "subject",
    "from_header",
    "kind",
    "is_bounce",
    "parse_error",
    "original_message_id",
    "send_token",
    "matched_by",
    "processed_at",
    "classifier_version",
)


@dataclass(slots=True)
class InboundRow:
    """One inbound message to insert (the attnames of ``COLUMNS``); ``pk`` is set once it is inserted."""

    organization_id: int
    mailbox_id: int | None
    digest: str
    content_digest: str
    raw: bytes
    size: int
    truncated: bool
    received_at: datetime
    kind: str
    processed_at: datetime
    classifier_version: str
    subject: str = ""
    from_header: str = ""
    is_bounce: bool = False
    parse_error: str = ""
    original_message_id: str = ""
    send_token: str = ""
    matched_by: str = MatchedBy.NONE
    pk: int | None = None


def row_for(mailbox, item, now) -> InboundRow:
    """The row of a classified message (``inbound.Classified``) received by ``mailbox`` at ``now``."""
    return _row(
        mailbox,
        item,
        now,
        subject=header_text(item.headers, "subject", 300),
        from_header=header_text(item.headers, "from", 300),
        kind=item.kind,
        is_bounce=item.result.is_bounce,
        parse_error=clean_text(item.parse_error, 5000),
        original_message_id=clean_text(item.result.original_message_id, 300),
        send_token=clean_text(item.clues.tokens[0], 64) if item.clues.tokens else "",
    )


def review_row(mailbox, item, error: Exception, now) -> InboundRow:
    """The row of a message kept raw for review: unparseable, with the reason it could not be processed."""
    reason = clean_text(f"The message could not be processed: {type(error).__name__}: {error}", 2000)
    return _row(mailbox, item, now, kind=InboundKind.UNPARSEABLE, parse_error=reason)


def _row(mailbox, item, now, **columns) -> InboundRow:
    return InboundRow(
        organization_id=mailbox.organization_id,
        mailbox_id=mailbox.pk,
        digest=item.digest,
        content_digest=item.content_digest,
        raw=item.raw,
        size=item.size,
        truncated=item.truncated,
        received_at=now,
        processed_at=now,
        classifier_version=classifier_version(),
        **columns,
    )


def insert_new(rows: list[InboundRow]) -> set[str]:
    """Insert the rows (all of one organization), skipping those whose digest or content digest it
    already stored; set the new rows' ids; return their digests."""
    return insert_new_rows(InboundMessage, rows, COLUMNS, unique=(), key="digest")
