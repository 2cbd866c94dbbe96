"""Retention of raw bodies: after RAW_RETENTION_DAYS an inbound message keeps only its headers, a raw ESP event
only its short top-level fields; the bounce events (and their evidence) are kept forever.

What stays on a purged inbound message: its header block (as received, at most HEADER_CAP bytes), subject,
From, digests (so the same bounce delivered again is still recognized), size, kind, match, parse error and
classifier version, and every BounceEvent it produced with its diagnostic and the classifier's evidence.
``body_purged_at`` says when; the raw pages say so. A purged message is never re-classified (its headers
alone would read as "not a bounce" and supersede real events). Messages not yet classified are not purged.

Inbound messages and ESP events are not audit rows (the append-only triggers guard bounce events and
clearances only, bounceportal/audit.py), so this is a plain UPDATE and needs no ``retention_path()``.

Without long locks: each batch is its own short transaction that claims at most ``batch_size`` rows with
``FOR UPDATE SKIP LOCKED`` (two runs at once take disjoint batches, and a row an ingestion or re-classify
transaction holds is skipped and taken by a later run), found through a partial index over the rows still
whole, oldest first. Rewriting a row is idempotent: a purged row leaves the index and the filter.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Length
from django.utils import timezone

from campaigns.esp_models import EspEvent
from campaigns.models import InboundMessage

BATCH_SIZE = 500
# A header block longer than this is cut (a message with no blank line is all "headers").
HEADER_CAP = 64 * 1024
# A purged ESP event keeps top-level fields whose value is a number, a boolean or a string up to this long.
SHORT_FIELD = 200


@dataclass
class PurgeResult:
    messages: int = 0
    message_bytes: int = 0  # bytes freed (on a dry run: bytes the due messages hold, headers included)
    esp_events: int = 0


def retention_cutoff(*, now: datetime | None = None, days: int | None = None) -> datetime:
    """Return the moment before which raw bodies are purged (``days`` defaults to RAW_RETENTION_DAYS)."""
    return (now or timezone.now()) - timedelta(days=settings.RAW_RETENTION_DAYS if days is None else days)


def header_block(raw: bytes) -> bytes:
    """Return the message's header section as received, up to and including the blank line that ends it."""
    ends = [at + len(sep) for sep in (b"\r\n\r\n", b"\n\n") if (at := raw.find(sep, 0, HEADER_CAP)) >= 0]
    return raw[: min(ends)] if ends else raw[:HEADER_CAP]


def short_fields(raw) -> dict:
    """Return the top-level fields of a raw ESP event that are short scalars (ids, type, timestamps)."""
    if not isinstance(raw, dict):
        return {}
    return {
        key: value
        for key, value in raw.items()
        if value is None
        or isinstance(value, int | float | bool)
        or (isinstance(value, str) and len(value) <= SHORT_FIELD)
    }


def purge_raw_bodies(
    *, days: int | None = None, batch_size: int = BATCH_SIZE, dry_run: bool = False, now: datetime | None = None
) -> PurgeResult:
    """Purge every raw body older than the retention period, batch by batch; return what was (or would be) purged."""
    now = now or timezone.now()
    cutoff = retention_cutoff(now=now, days=days)
    if dry_run:
        messages = _due_messages(cutoff)
        return PurgeResult(
            messages=messages.count(),
            message_bytes=messages.aggregate(total=Sum(Length("raw")))["total"] or 0,
            esp_events=_due_esp_events(cutoff).count(),
        )
    result = PurgeResult()
    while count := _purge_message_batch(cutoff, batch_size, now, result):
        result.messages += count
    while count := _purge_esp_batch(cutoff, batch_size, now):
        result.esp_events += count
    return result


def _due_messages(cutoff):
    return InboundMessage.objects.filter(
        body_purged_at__isnull=True, received_at__lt=cutoff, processed_at__isnull=False
    ).order_by("received_at", "id")


def _due_esp_events(cutoff):
    return EspEvent.objects.filter(raw_purged_at__isnull=True, received_at__lt=cutoff).order_by("received_at", "id")


def _purge_message_batch(cutoff, batch_size: int, now, result: PurgeResult) -> int:
    with transaction.atomic():
        rows = list(_due_messages(cutoff).select_for_update(skip_locked=True).only("pk", "raw")[:batch_size])
        for row in rows:
            raw = bytes(row.raw)
            row.raw = header_block(raw)
            row.body_purged_at = now
            result.message_bytes += len(raw) - len(row.raw)
        InboundMessage.objects.bulk_update(rows, ["raw", "body_purged_at"])
    return len(rows)


def _purge_esp_batch(cutoff, batch_size: int, now) -> int:
    with transaction.atomic():
        rows = list(_due_esp_events(cutoff).select_for_update(skip_locked=True).only("pk", "raw")[:batch_size])
        for row in rows:
            row.raw = short_fields(row.raw)
            row.raw_purged_at = now
        EspEvent.objects.bulk_update(rows, ["raw", "raw_purged_at"])
    return len(rows)
