"""From raw bytes to stored rows: classify a message, build its events, apply their outcomes.

Shared by ingestion (new messages) and re-classification (stored messages).
Everything here that writes runs inside the caller's transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings

from bounceportal import classifier
from bounceportal.classifier.mime import decode_header_value
from bounceportal.db import clean_text, probe_rows
from campaigns.models import BounceEvent, EventSource, InboundKind
from campaigns.services.digests import content_digest, event_key
from campaigns.services.explanation import explanation_fields
from campaigns.services.matching import Clues, SendMatcher, best_match, clues_for, top_headers
from campaigns.services.policy import record_deferrals_and_deliveries, store_and_apply_bounce_events
from contacts.choices import Category, Reason, Subtype
from contacts.deliverability import lock_learners_with_policy

_KINDS = {InboundKind.DSN, InboundKind.AUTOREPLY, InboundKind.FEEDBACK, InboundKind.UNSUBSCRIBE, InboundKind.NOT_BOUNCE}
# Kinds the portal acts on; the rest (human replies, unreadable bytes) stay untouched in the mailbox.
MARKABLE_KINDS = frozenset({InboundKind.DSN, InboundKind.AUTOREPLY, InboundKind.FEEDBACK, InboundKind.UNSUBSCRIBE})
_DONE_ACTIONS = ("delivered", "relayed", "expanded")
EVENT_BATCH = 1000  # events per INSERT
MAX_RECIPIENT_INDEX = 32767  # BounceEvent.recipient_index is a small integer: later recipients share it


@lru_cache(maxsize=1)
def classifier_version() -> str:
    """The classifier's declared version, else a fingerprint of its source (changes on upgrade)."""
    declared = getattr(classifier, "__version__", "")
    if declared:
        return str(declared)[:20]
    digest = hashlib.sha256()
    for path in sorted(Path(classifier.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return "src-" + digest.hexdigest()[:12]


@dataclass
class Classified:
    """One fetched message, classified and ready to store."""

    ref: object
    digest: str
    raw: bytes
    size: int
    truncated: bool
    headers: dict
    result: classifier.Result
    clues: Clues
    content_digest: str = ""

    @property
    def kind(self) -> str:
        if (self.result.error or "").startswith(classifier.TOO_COMPLEX):
            return InboundKind.TOO_COMPLEX
        if self.result.error:
            return InboundKind.UNPARSEABLE
        return self.result.kind if self.result.kind in _KINDS else InboundKind.NOT_BOUNCE

    @property
    def parse_error(self) -> str:
        notes = [self.result.error] if self.result.error else []
        if self.truncated:
            notes.append(f"Truncated: the message was {self.size} bytes; the first {len(self.raw)} are kept.")
        return " ".join(notes)


def classify_raw(
    ref, raw: bytes, *, size: int | None = None, digest: str | None = None, content: str | None = None
) -> Classified:
    """Digest, truncate (past INBOUND_MAX_BYTES), classify and collect matching clues. No queries.

    ``size`` and ``digest`` are given by an adapter that streamed an oversized
    message and passes only its first bytes. Never raises: a message that fails anywhere here
    comes back unparseable with the error (kept raw for review), and one that takes longer than
    INBOUND_CLASSIFY_SECONDS comes back "too complex" (kept raw for review too).
    """
    raw = bytes(raw)
    kept = raw[: settings.INBOUND_MAX_BYTES]
    size = len(raw) if size is None else size
    digest = digest or hashlib.sha256(raw).hexdigest()
    item = Classified(
        ref=ref,
        digest=digest,
        raw=kept,
        size=size,
        truncated=size > len(kept),
        headers={},
        result=classifier.Result(error="not classified"),
        clues=Clues(),
        content_digest=content or content_digest(kept),
    )
    try:
        item.result = classifier.classify(
            kept, bounce_domain=settings.BOUNCE_DOMAIN, time_budget=settings.INBOUND_CLASSIFY_SECONDS
        )
        item.headers = top_headers(kept)
        item.clues = clues_for(item.headers, item.result, bounce_domain=settings.BOUNCE_DOMAIN)
    except Exception as exc:  # one message must never stop a batch: keep it for review with the reason
        item.result = classifier.Result(error=f"internal: {type(exc).__name__}: {exc}"[:300])
    return item


def header_text(headers: dict, name: str, limit: int) -> str:
    values = headers.get(name)
    return clean_text(decode_header_value(values[0]), limit) if values else ""


def occurred_at(headers: dict, now):
    """The bounce's Date header when it is sane (not in the future, not older than 60 days), else now."""
    try:
        when = parsedate_to_datetime(headers.get("date", [""])[0])
    except (TypeError, ValueError, IndexError):
        return now
    if when is None or when.tzinfo is None or not now - timedelta(days=60) <= when <= now:
        return now
    return when


@dataclass
class Outcomes:
    """What a batch of messages does to sends and learners, before it is written."""

    events: list
    deferrals: dict  # send id -> diagnostic
    deliveries: list  # sends


@cache
def _values(choices) -> frozenset:
    return frozenset(choices.values)


def _choice(value: str, choices, default: str) -> str:
    """``value`` if it is one of ``choices``, else ``default`` (the set of values is built once per choices:
    ``choices.values`` makes a new list at each call, three times per recipient)."""
    return value if value in _values(choices) else default


def plan_message(message, classified: Classified, matcher: SendMatcher, now, outcomes: Outcomes) -> str:
    """Add the message's events, deferrals and deliveries to ``outcomes``; return its matched_by.

    ``now`` is when the message was received (address matches look 30 days back from it).
    """
    recipients = classified.result.recipients
    if not recipients and classified.kind in MARKABLE_KINDS:
        recipients = [classifier.Recipient(address="")]  # a report that names nobody still gets its event
    when = occurred_at(classified.headers, now)
    report_id = clean_text(classified.headers.get("message-id", [""])[0], 300)
    matches = []
    # Every recipient, however many (the classifier's time budget bounds how many a message can name).
    for index, recipient in enumerate(recipients):
        send, matched_by = matcher.match(classified.clues, recipient.address, recipient_count=len(recipients), at=now)
        matches.append(matched_by)
        if recipient.category == "delivered" or recipient.action in _DONE_ACTIONS:
            if send is not None:
                outcomes.deliveries.append(send)
            continue
        if recipient.category == "deferred":
            if send is not None:
                outcomes.deferrals[send.pk] = clean_text(recipient.diagnostic or recipient.status, 1000)
            continue
        if not classified.result.is_bounce:
            continue
        category = _choice(recipient.category, Category, Category.UNDETERMINED)
        outcomes.events.append(
            BounceEvent(
                organization_id=message.organization_id,
                inbound_message_id=message.pk,  # ingestion's rows get theirs once inserted
                source=EventSource.MAILBOX,
                send=send,
                learner_id=send.learner_id if send else None,
                recipient_index=min(index, MAX_RECIPIENT_INDEX),
                event_key=event_key(
                    send_id=send.pk if send else None,
                    address=recipient.address,
                    status=recipient.status or recipient.reason,
                    report_id=report_id,
                ),
                address=clean_text(recipient.address or (send.email if send else ""), 254),
                action=clean_text(recipient.action, 20),
                status=clean_text(recipient.status, 16),
                reply_code=clean_text(recipient.reply_code, 3),
                reason=_choice(recipient.reason, Reason, Reason.UNDEFINED),
                category=category,
                subtype=_choice(recipient.subtype, Subtype, Subtype.UNDETERMINED)
                if category != Category.UNDETERMINED
                else Subtype.UNDETERMINED,
                hard=category == Category.HARD,
                diagnostic=clean_text(recipient.diagnostic, 5000),
                remote_mta=clean_text(recipient.remote_mta, 253),
                feedback_type=clean_text(recipient.feedback_type, 40),
                matched_by=matched_by,
                occurred_at=when,
                **explanation_fields(recipient),
            )
        )
    return best_match(matches)


def not_yet_counted(events: list[BounceEvent], *, replacing=()) -> list[BounceEvent]:
    """Return the events whose key no stored event (other than those ``replacing``) and no earlier
    event of the list has: a report delivered again in other bytes counts once.

    Called after the learners are locked, so a concurrent poll that stored the same report's events
    has committed them (or waits for us) and is seen here.
    """
    keys = {e.event_key for e in events if e.event_key}
    if not keys:
        return events
    organizations = {e.organization_id for e in events}
    if len(organizations) == 1 and not replacing:  # a mailbox's batch: one index probe per key
        (organization,) = organizations
        found = probe_rows(
            BounceEvent, ["event_key"], key="event_key", values=keys, equal={"organization_id": organization}
        )
        seen = {(organization, key) for (key,) in found}
    else:
        seen = set(
            BounceEvent.objects.filter(organization_id__in=organizations, event_key__in=keys)
            .exclude(pk__in=[e.pk for e in replacing])
            .values_list("organization_id", "event_key")
        )
    fresh = []
    for event in events:
        key = (event.organization_id, event.event_key)
        if event.event_key and key in seen:
            continue
        seen.add(key)
        fresh.append(event)
    return fresh


def write_outcomes(outcomes: Outcomes, now) -> list[BounceEvent]:
    """Insert the events with the policy applied to them, and update deferred and delivered sends.

    The events are inserted once, with their outcomes (``store_and_apply_bounce_events``), not
    inserted and then updated; the deliveries and deferrals of the whole batch take a few statements.
    The learners are locked once, with what the policy reads (``lock_learners_with_policy``), before
    the events already counted are looked for; the policy and the deliveries use that lock.
    """
    locked = lock_learners_with_policy(
        [e.learner_id for e in outcomes.events] + [s.learner_id for s in outcomes.deliveries]
    )
    fresh = not_yet_counted(outcomes.events)
    events = store_and_apply_bounce_events(events=fresh, now=now, locked=locked)
    record_deferrals_and_deliveries(
        deferrals=outcomes.deferrals, deliveries=outcomes.deliveries, now=now, locked=locked
    )
    return events
