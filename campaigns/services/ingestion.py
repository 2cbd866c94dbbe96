"""Bounce mailbox ingestion (DESIGN §4): fetch → store raw → classify → match → events and
policy in one transaction → only after commit, mark the messages processed in the mailbox.

Messages are handled in batches (INBOUND_BATCH_SIZE, default 500) so a batch costs
a dozen statements whatever its size: one look-up of known digests, two matching
queries, one ``INSERT … ON CONFLICT (organization, digest) DO NOTHING RETURNING`` for the raw
messages, one insert of events and one ``apply_bounce_events`` call. Crash safety
holds per message all the same:

- the raw message, its events and their effects on learners and sends commit
  together, or not at all (then the message is still in the mailbox);
- the mailbox is touched only after the commit; a crash between the two leaves a
  stored message in the mailbox, which the next poll recognizes by its digest and
  only marks;
- the unique digest makes a second, concurrent poller's insert a no-op, and only
  the rows an insert returned get events, so nothing is ever counted twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from bounceportal.db import probe_rows
from campaigns.mailboxes import Fetched, MailboxError, open_mailbox
from campaigns.models import BounceMailbox, InboundKind, InboundMessage, MatchedBy
from campaigns.services.digests import content_digest
from campaigns.services.inbound import (
    MARKABLE_KINDS,
    Outcomes,
    classify_raw,
    plan_message,
    write_outcomes,
)
from campaigns.services.ingestion_results import BatchResult, PollResult
from campaigns.services.ingestion_rows import insert_new, review_row, row_for
from campaigns.services.locks import LockLost, NoLock, mailbox_poll_lock, redis_client
from campaigns.services.mailbox_claims import SHARED_PROTOCOLS, ClaimBoard, MailboxBusy
from campaigns.services.matching import SendMatcher
from campaigns.services.reclassify import reclassify_messages

logger = logging.getLogger(__name__)

BACKLOG_BATCHES = 5  # a shared poll that lists more batches than this asks for helpers (on_backlog)
MARK_SECONDS = 20.0  # how long committed messages may wait to be marked, where marking costs per command

__all__ = ["BatchResult", "PollResult", "ingest_raw_messages", "poll_mailbox_once", "reclassify_messages"]


def checkpoint(name: str) -> None:
    """A point of a poll where a crash must lose nothing and count nothing twice: "after_fetch",
    "after_store", "in_transaction" (before commit) and "after_commit" (before marking).

    Does nothing. The crash-safety test replaces it, in the poller process it starts, with one
    that SIGKILLs that process (tests/crash_poll.py); a concurrency test replaces it to pause.
    """


def ingest_raw_messages(
    *, mailbox: BounceMailbox, messages: list[Fetched], dry_run: bool = False, now=None
) -> BatchResult:
    """Store, classify, match and apply a batch of fetched messages in one transaction.

    Returns the counts and the refs to mark processed once committed: the new
    messages the portal acted on and those already stored by an earlier poll
    (a crash between commit and marking). Human replies and unparseable
    messages are stored but never marked. ``dry_run`` does everything and rolls back.
    A batch the database refuses is retried message by message, and a message
    it still refuses is kept raw for review, so one bad message never blocks a mailbox.
    """
    now = now or timezone.now()
    result = BatchResult(fetched=len(messages))
    fresh, twins = _not_yet_stored(mailbox, messages, result)
    classified = [
        classify_raw(m.ref, m.raw, size=m.size, digest=digest, content=content) for m, digest, content in fresh
    ]
    for item in classified:  # copies within the batch are marked like the one that is stored
        if item.kind in MARKABLE_KINDS:
            result.to_mark.extend(twins.get(item.digest, ()))
    _store_with_fallback(mailbox, classified, result, dry_run, now)
    return result


def _not_yet_stored(mailbox, messages: list[Fetched], result: BatchResult) -> tuple[list, dict]:
    """Return the messages to classify (with their digests and content digests) and the refs of copies
    within the batch by the digest of the one kept; count and queue for marking those stored already.

    This comes before any classification: a message left in the mailbox (a human reply) or
    delivered again through another relay is recognized by a digest, never read again.
    """
    digests: list[tuple[Fetched, str]] = [(m, m.digest or hashlib.sha256(m.raw).hexdigest()) for m in messages]
    contents = {digest: content_digest(m.raw[: settings.INBOUND_MAX_BYTES]) for m, digest in digests}
    known: dict[str, str] = {}
    org = {"organization_id": mailbox.organization_id}
    fields = ("digest", "content_digest", "kind")
    for key, values in (("digest", contents), ("content_digest", contents.values())):
        for stored_digest, stored_content, kind in probe_rows(
            InboundMessage, fields, key=key, values=values, equal=org
        ):
            known[stored_digest] = known[stored_content or stored_digest] = kind
    fresh: list[tuple[Fetched, str, str]] = []
    first_of: dict[str, str] = {}
    twins: dict[str, list] = {}
    for message, digest in digests:
        content = contents[digest]
        stored_kind = known.get(digest) or known.get(content)
        if stored_kind is not None:
            result.duplicates += 1
            if stored_kind in MARKABLE_KINDS:
                result.to_mark.append(message.ref)
        elif content in first_of:
            result.duplicates += 1
            twins.setdefault(first_of[content], []).append(message.ref)
        else:
            first_of[content] = digest
            fresh.append((message, digest, content))
    return fresh, twins


def _store_with_fallback(mailbox, fresh: list, result: BatchResult, dry_run: bool, now) -> None:
    if not fresh:
        return
    try:
        result.add(_store_and_apply(mailbox, fresh, dry_run, now))
    except Exception as exc:  # any failure of one message (match, plan, store, apply) must not stop the rest
        if len(fresh) > 1:
            for item in fresh:
                _store_with_fallback(mailbox, [item], result, dry_run, now)
        else:
            logger.warning(
                "Mailbox %s: message %s could not be processed: %s", mailbox.pk, fresh[0].digest, exc, exc_info=True
            )
            result.add(_keep_for_review(mailbox, fresh[0], exc, dry_run, now))


def _store_and_apply(mailbox, fresh: list, dry_run: bool, now) -> BatchResult:
    result = BatchResult()
    matcher = SendMatcher(organization_id=mailbox.organization_id, clues=[c.clues for c in fresh], now=now)
    planned = []
    for item in fresh:
        row = row_for(mailbox, item, now)
        outcomes = Outcomes(events=[], deferrals={}, deliveries=[])
        row.matched_by = plan_message(row, item, matcher, now, outcomes)
        planned.append((item, row, outcomes))
    with transaction.atomic():
        # Digest order, so two pollers inserting overlapping batches wait on each other without deadlocking.
        inserted = insert_new(sorted((row for _, row, _ in planned), key=lambda row: row.digest))
        checkpoint("after_store")
        merged = Outcomes(events=[], deferrals={}, deliveries=[])
        for item, row, outcomes in planned:
            if row.digest not in inserted:  # stored meanwhile by a concurrent poll: it is theirs
                result.duplicates += 1
                continue
            for event in outcomes.events:
                event.inbound_message_id = row.pk
            merged.events.extend(outcomes.events)
            merged.deferrals.update(outcomes.deferrals)
            merged.deliveries.extend(outcomes.deliveries)
            _count(result, item, row)
            if item.kind in MARKABLE_KINDS:
                result.to_mark.append(item.ref)
        result.events = len(write_outcomes(merged, now))
        result.deferred, result.delivered = len(merged.deferrals), len({s.pk for s in merged.deliveries})
        checkpoint("in_transaction")
        if dry_run:
            transaction.set_rollback(True)
    return result


def _keep_for_review(mailbox, item, error: Exception, dry_run: bool, now) -> BatchResult:
    """Store only the raw message, flagged unparseable with the reason; nothing else changes."""
    result = BatchResult()
    row = review_row(mailbox, item, error, now)
    try:
        with transaction.atomic():
            stored = insert_new([row])
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as exc:  # left in the mailbox: the next poll tries again
        logger.error("Mailbox %s: message %s could not even be stored: %s", mailbox.pk, item.digest, exc)
        result.unsettled.append(item.ref)
        return result
    result.stored, result.unparseable = len(stored), len(stored)
    result.duplicates = 1 - len(stored)
    return result


def _count(result: BatchResult, item, row) -> None:
    result.stored += 1
    result.oversized += item.truncated
    if item.kind in (InboundKind.UNPARSEABLE, InboundKind.TOO_COMPLEX):
        result.unparseable += 1
    elif item.result.is_bounce:
        result.bounces += 1
        result.unmatched += row.matched_by == MatchedBy.NONE
    elif item.kind not in MARKABLE_KINDS:
        result.not_bounces += 1


def poll_mailbox_once(
    *, mailbox: BounceMailbox, dry_run: bool = False, use_lock: bool = True, on_backlog=None
) -> PollResult:
    """Poll one mailbox to the end and return the counts; raise MailboxError if it cannot be read.

    With Redis, an IMAP or Maildir mailbox is shared (``mailbox_claims``): this poll claims one
    batch-sized range of the listing at a time under the mailbox lock, so other pollers of the
    same mailbox (Celery workers) read other ranges at once; ``on_backlog()`` is called once when
    more than BACKLOG_BATCHES batches wait (the task enqueues helpers). Any other poll holds the
    mailbox's poll lock throughout (renewed after each batch). Either way a result with
    ``skipped`` set means another poll held the mailbox. An IMAP poll lists only UIDs above the
    highest one processed under the folder's UIDVALIDITY, and records the new highest after each
    batch is marked. The outcome (last poll, counts, last error) is recorded on the mailbox,
    except in a dry run, which changes nothing anywhere.
    """
    result = PollResult(mailbox_id=mailbox.pk, dry_run=dry_run)
    started = timezone.now()
    shared = use_lock and not dry_run and bool(settings.REDIS_URL) and mailbox.protocol in SHARED_PROTOCOLS
    whole_lock = use_lock and not dry_run and not shared
    with mailbox_poll_lock(mailbox.pk) if whole_lock else nullcontext(NoLock()) as lock:
        if lock is None:
            result.skipped = "another poll of this mailbox is running"
            return result
        try:
            with open_mailbox(mailbox) as source:
                if shared:
                    _poll_shared(mailbox, source, result, on_backlog)
                else:
                    _poll_whole(mailbox, source, result, lock, dry_run)
        except (MailboxError, LockLost) as exc:
            result.error = str(exc)
        except Exception as exc:
            result.error = f"{type(exc).__name__}: {exc}"[:1000]
            if not dry_run:
                try:
                    _record(mailbox, result, started)
                except DatabaseError:  # the database itself is the problem: keep the original error
                    logger.exception("Could not record the failed poll of mailbox %s", mailbox.pk)
            raise
        if result.skipped:
            return result
        if not dry_run:
            _record(mailbox, result, started)
    if result.error:
        raise MailboxError(result.error)
    return result


class PendingMarks:
    """Committed messages waiting to be marked processed in the mailbox, and what waits on their marking
    (releasing a claim, moving the processed-UID mark up), for sources whose marking costs per command.

    Dovecot's UID MOVE costs it time in proportion to the folder, per command, whatever the number of
    UIDs (``ImapSource.marks_per_command``): marking each batch of 100 spent more time there than the
    batch's ingestion, and two pollers of one folder queued for it. So such a source is marked every
    MARK_SECONDS (and when the poll ends) in one command; the others still after each batch. Nothing is
    marked before its commit; a crash in between leaves stored messages in the mailbox, which the next
    poll recognizes by their digests and only marks (as after a crash between commit and marking).
    """

    def __init__(self, source, then: Callable[[list], None] = lambda waiting: None) -> None:
        self.source = source
        self.deferred = getattr(source, "marks_per_command", False)
        self.seconds = MARK_SECONDS
        self.then = then  # called with what waited, once the refs are marked
        self.refs: list = []
        self.waiting: list = []
        self.since: float | None = None

    def add(self, refs, waiting=None) -> None:
        self.refs.extend(refs)
        if waiting is not None:
            self.waiting.append(waiting)
        if self.since is None:
            self.since = time.monotonic()

    def due(self) -> bool:
        return not self.deferred or (self.since is not None and time.monotonic() - self.since >= self.seconds)

    def flush(self) -> int:
        """Mark the refs in one call, then hand on what waited on them; return how many were marked."""
        refs, waiting = self.refs, self.waiting
        self.refs, self.waiting, self.since = [], [], None
        marked = self.source.mark_processed(refs) if refs else 0
        if waiting:
            self.then(waiting)
        return marked

    def mark_only(self) -> int:
        """Mark the refs, dropping what waited on them (the claims are lost: their leases run out)."""
        self.waiting = []
        return self.flush()


def _poll_whole(mailbox, source, result: PollResult, lock, dry_run: bool) -> None:
    """One poller, the whole listing, batch after batch (no Redis, POP3, dry runs)."""
    settled = True  # every message so far is stored: the processed-UID mark may move up
    # Once marked, the highest UID up to which everything is done becomes the mark (one UPDATE).
    pending = PendingMarks(source, lambda uids: _record_uid_mark(mailbox, source.uidvalidity, max(uids)))
    for batch in source.batches(settings.INBOUND_BATCH_SIZE, settings.INBOUND_BATCH_MAX_BYTES):
        checkpoint("after_fetch")
        outcome = ingest_raw_messages(mailbox=mailbox, messages=batch, dry_run=dry_run)
        result.add(outcome)
        if dry_run:
            continue
        checkpoint("after_commit")
        done_through = None
        if settled and batch and getattr(source, "uidvalidity", None) is not None:
            left = outcome.unsettled
            done_through = min(left) - 1 if left else max(m.ref for m in batch)
            settled = not left
        pending.add(outcome.to_mark, done_through)
        if pending.due():
            result.marked += pending.flush()
        lock.renew()
    result.marked += pending.flush()


def _poll_shared(mailbox, source, result: PollResult, on_backlog) -> None:
    """Claim a range, fetch, ingest, mark, release; until the round has nothing left for this poller."""
    size = settings.INBOUND_BATCH_SIZE
    validity = getattr(source, "uidvalidity", None)
    board = ClaimBoard(redis_client(settings.REDIS_URL), mailbox.pk, validity=validity)
    refs = source.listing()
    if on_backlog is not None and len(refs) > BACKLOG_BATCHES * size:
        on_backlog()

    def release(claims: list) -> None:  # under one lock; then one UPDATE of the processed-UID mark
        done_through = board.release(*claims)
        if validity is not None and done_through:
            _record_uid_mark(mailbox, validity, done_through)

    pending = PendingMarks(source, release)

    try:
        while True:
            claim = board.claim(refs, size, source.order_key)
            if claim is None:
                if not pending.waiting:
                    break
                # Nothing left to claim, but this poller's own unmarked claims kept the round open: mark and
                # release them, then ask again, so that the last poller to finish ends the round.
                result.marked += pending.flush()
                continue
            to_mark, unsettled = _ingest_claim(mailbox, source, claim, result)
            # A range with a message left unsettled is not released: its lease runs out and a poller
            # tries it again.
            pending.add(to_mark, None if unsettled else claim)
            if pending.due():
                result.marked += pending.flush()
        result.marked += pending.flush()
    except MailboxBusy:
        result.marked += pending.mark_only()
        if not result.fetched:
            result.skipped = "another poll of this mailbox is running"
    except LockLost:
        result.marked += pending.mark_only()  # committed: marking is safe, only the claims are gone
        raise


def _ingest_claim(mailbox, source, claim, result: PollResult) -> tuple[list, bool]:
    """Fetch and ingest a claimed range, one transaction per batch of at most INBOUND_BATCH_MAX_BYTES
    (a range of large messages is never held whole); return the refs to mark and whether a message was
    left unsettled."""
    to_mark: list = []
    unsettled = False
    for batch in source.fetch_batches(claim.refs, settings.INBOUND_BATCH_MAX_BYTES):
        checkpoint("after_fetch")
        outcome = ingest_raw_messages(mailbox=mailbox, messages=batch)
        result.add(outcome)
        checkpoint("after_commit")
        to_mark.extend(outcome.to_mark)
        unsettled = unsettled or bool(outcome.unsettled)
    return to_mark, unsettled


def _record_uid_mark(mailbox: BounceMailbox, uidvalidity: int, uid: int) -> None:
    """Record that every UID up to ``uid`` under ``uidvalidity`` is processed (never moving the mark
    down under the same UIDVALIDITY; a new UIDVALIDITY starts a new mark)."""
    BounceMailbox.objects.filter(pk=mailbox.pk).update(
        imap_last_uid=Case(
            When(imap_uidvalidity=uidvalidity, then=Greatest(F("imap_last_uid"), Value(uid))), default=Value(uid)
        ),
        imap_uidvalidity=uidvalidity,
    )


def _record(mailbox: BounceMailbox, result: PollResult, started) -> None:
    """Write the poll's outcome on the mailbox with one UPDATE (F() so concurrent counts add up)."""
    now = timezone.now()
    changes = dict(
        last_polled_at=started,
        messages_fetched=F("messages_fetched") + result.fetched,
        messages_processed=F("messages_processed") + result.stored,
    )
    if result.error:
        changes.update(
            last_error=result.error,
            last_error_at=now,
            consecutive_failures=F("consecutive_failures") + 1,
            poll_failures=F("poll_failures") + 1,
        )
        logger.warning("Polling mailbox %s failed: %s", mailbox.pk, result.error)
    else:
        changes.update(last_success_at=now, last_error="", consecutive_failures=0)
    BounceMailbox.objects.filter(pk=mailbox.pk).update(**changes)
