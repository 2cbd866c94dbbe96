"""ESP tracking events through the one pipeline (DESIGN §4): store raw → match → classify → apply.

What a DSN or an SMTP reply becomes, an ESP's event becomes too: a bounce, a complaint, an
unsubscribe or an auto-reply is a ``BounceEvent`` applied through the policy (and so through
``contacts.deliverability``); a delivery, a deferral, an open or a click moves the send and the
learner like a DSN or the open pixel does. Every event is kept raw as an ``EspEvent``, unique by the
service's event id per connection: a redelivered webhook inserts nothing and so changes nothing.

A batch of any size costs a fixed handful of statements (the insert of raw events, two matching
queries, the bounce events and their policy, one update per kind of send change), plus one
transition per open or click (engagement is per learner in the deliverability package).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bounceportal.classifier import recipient_for_reason
from bounceportal.classifier.tokens import message_id_token
from bounceportal.db import clean_text, field_in, insert_new_rows, pk_in
from campaigns.esp_models import EspEventKind, EspEventState
from campaigns.models import (
    BounceEvent,
    EngagementEvent,
    EngagementKind,
    EspConnection,
    EspEvent,
    EventSource,
    MatchedBy,
    Send,
    SendStatus,
)
from campaigns.services.esp.vocab import decide, service_verdict
from campaigns.services.explanation import explanation_fields
from campaigns.services.matching import Clues, SendMatcher
from campaigns.services.policy import record_deferrals_and_deliveries, store_and_apply_bounce_events
from contacts import deliverability
from contacts.choices import Category, Reason, Subtype

# The metadata key (SendGrid custom args, Mailgun user-variables, Postmark/SparkPost metadata...) of our token.
TOKEN_KEY = "bp_token"
# Normalized types that become a bounce event, and those that only say where a message is.
_BOUNCE_KINDS = {EspEventKind.BOUNCED, EspEventKind.REJECTED}
_REPORT_KINDS = {EspEventKind.COMPLAINED, EspEventKind.UNSUBSCRIBED, EspEventKind.AUTORESPONDED}
_RECORD_ONLY = {EspEventKind.QUEUED, EspEventKind.SENT, EspEventKind.SUBSCRIBED, EspEventKind.FAILED}
# Choice values as sets: ``TextChoices.values`` builds a new list on every call.
_KINDS = frozenset(EspEventKind.values)
_CATEGORIES, _SUBTYPES, _REASONS = frozenset(Category.values), frozenset(Subtype.values), frozenset(Reason.values)
_COLUMNS = (
    "organization",
    "connection",
    "event_id",
    "kind",
    "service_type",
    "recipient",
    "message_id",
    "send",
    "matched_by",
    "state",
    "occurred_at",
    "received_at",
    "raw",
    "service_verdict",
    "classifier_verdict",
    "decided_by",
)


@dataclass
class TrackingEvent:
    """The parts of django-anymail's ``AnymailTrackingEvent`` the pipeline reads (JSON-ready, so a large
    batch can travel to the worker)."""

    kind: str
    event_id: str = ""
    recipient: str = ""
    message_id: str = ""
    timestamp: str = ""
    metadata: dict = field(default_factory=dict)
    mta_response: str = ""
    description: str = ""
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_anymail(cls, event) -> TrackingEvent:
        raw = event.esp_event
        if not isinstance(raw, dict):  # Mailgun's legacy form posts are a QueryDict
            raw = {key: values[0] if len(values) == 1 else values for key, values in raw.lists()}
        return cls(
            kind=event.event_type if event.event_type in _KINDS else EspEventKind.UNKNOWN,
            event_id=str(event.event_id or ""),
            recipient=str(event.recipient or ""),
            message_id=str(event.message_id or ""),
            timestamp=event.timestamp.isoformat() if event.timestamp else "",
            metadata=event.metadata if isinstance(event.metadata, dict) else {},
            mta_response=str(event.mta_response or ""),
            description=str(event.description or ""),
            raw=raw,
        )

    @classmethod
    def many_from_anymail(cls, events: list) -> list[TrackingEvent]:
        """``from_anymail`` for a request's events, their raw parts made JSON-ready.

        The services' raw events are parsed JSON already (one check for the whole batch); only
        when one is not are they rewritten, each value JSON cannot carry as its text.
        """
        tracking = [cls.from_anymail(event) for event in events]
        try:
            json.dumps([event.raw for event in tracking])
        except (TypeError, ValueError):
            for event in tracking:
                event.raw = json.loads(json.dumps(event.raw, default=str))
        return tracking

    def key(self) -> str:
        """Unique per event and recipient (SES sends one notification, with one id, for several recipients)."""
        base = self.event_id or "sha256:" + hashlib.sha256(json.dumps(self.raw, sort_keys=True).encode()).hexdigest()
        key = f"{base}/{self.recipient.lower()}"
        return key if len(key) <= 200 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


@dataclass
class EspBatchResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    bounces: int = 0
    unmatched: int = 0
    unknown: int = 0


@dataclass(slots=True)
class _RawEvent:
    """One ``EspEvent`` row to insert (``insert_new_rows`` reads its attributes, one per column): a
    model instance's ``__init__`` cost more than all the rest of planning the event."""

    organization_id: int
    connection_id: int
    event_id: str
    kind: str
    service_type: str
    recipient: str
    message_id: str
    send_id: int | None
    matched_by: str
    state: str
    occurred_at: datetime
    received_at: datetime
    raw: dict
    service_verdict: dict = field(default_factory=dict)
    classifier_verdict: dict = field(default_factory=dict)
    decided_by: str = ""
    pk: int | None = None


@dataclass
class _Plan:
    rows: list = field(default_factory=list)  # (EspEvent, BounceEvent | None)
    deliveries: dict = field(default_factory=dict)  # send id -> send
    deferrals: dict = field(default_factory=dict)  # send id -> text
    opens: dict = field(default_factory=dict)  # send id -> send
    clicks: dict = field(default_factory=dict)
    # (service verdict, diagnostic) -> (decision, explanation fields): a batch repeats few texts.
    decisions: dict = field(default_factory=dict)


def ingest_esp_events(*, connection: EspConnection, events: list[TrackingEvent], now=None) -> EspBatchResult:
    """Store, match, classify and apply one batch of a connection's events in one transaction."""
    now = now or timezone.now()
    result = EspBatchResult(received=len(events))
    unique: dict[str, TrackingEvent] = {}
    for event in events:
        unique.setdefault(event.key(), event)
    known = set(
        EspEvent.objects.filter(field_in("event_id", unique), connection=connection).values_list("event_id", flat=True)
    )
    fresh = {key: event for key, event in unique.items() if key not in known}
    result.duplicates = len(events) - len(fresh)
    if not fresh:
        return result
    clues = {key: _clues(event) for key, event in fresh.items()}
    matcher = SendMatcher(organization_id=connection.organization_id, clues=list(clues.values()), now=now)
    plan = _Plan()
    for key, event in fresh.items():
        _plan_event(plan, connection, key, event, clues[key], matcher, now)
    with transaction.atomic():
        inserted = insert_new_rows(
            EspEvent, [row for row, _ in plan.rows], _COLUMNS, unique=("connection", "event_id"), key="event_id"
        )
        _apply(plan, inserted, now, result)
        EspConnection.objects.filter(pk=connection.pk).update(
            last_event_at=now, events_received=F("events_received") + len(inserted)
        )
    result.duplicates += len(fresh) - len(inserted)
    return result


def _clues(event: TrackingEvent) -> Clues:
    token = str(event.metadata.get(TOKEN_KEY, "") or "")[:64]
    header_tokens = [t for t in (message_id_token(event.message_id, settings.BOUNCE_DOMAIN),) if t and t != token]
    header_tokens += [t for t in _ses_header_tokens(event.raw) if t not in header_tokens and t != token]
    address = event.recipient.strip().lower()
    return Clues(verp_token=token, header_tokens=header_tokens, addresses=[address] if "@" in address else [])


def _ses_header_tokens(raw: dict) -> list[str]:
    """Our Message-ID and token header as SES echoes the sent message's headers back (``mail.headers``)."""
    mail = raw.get("mail") if isinstance(raw, dict) else None
    tokens = []
    for header in (mail or {}).get("headers") or []:
        if not isinstance(header, dict):
            continue
        name, value = str(header.get("name", "")).lower(), str(header.get("value", ""))
        token = value.strip() if name == "x-bounceportal-token" else ""
        if name == "message-id":
            token = message_id_token(value, settings.BOUNCE_DOMAIN) or ""
        if token:
            tokens.append(token[:64])
    return tokens


def _occurred(event: TrackingEvent, now):
    when = _parse_time(event.timestamp) if event.timestamp else None
    if when is None or when.tzinfo is None or not now - timedelta(days=60) <= when <= now + timedelta(minutes=5):
        return now
    return min(when, now)


def _plan_event(plan: _Plan, connection, key: str, event: TrackingEvent, clues: Clues, matcher, now) -> None:
    send, matched_by = matcher.match(clues, event.recipient, at=now)
    if matched_by == MatchedBy.VERP:
        matched_by = MatchedBy.ESP_METADATA
    row = _RawEvent(
        organization_id=connection.organization_id,
        connection_id=connection.pk,
        event_id=key,
        kind=event.kind,
        service_type=clean_text(_service_type(event.raw), 100),
        recipient=clean_text(event.recipient, 254),
        message_id=clean_text(event.message_id, 300),
        send_id=send.pk if send else None,
        matched_by=matched_by,
        state=EspEventState.APPLIED if send else EspEventState.UNMATCHED,
        occurred_at=_occurred(event, now),
        received_at=now,
        raw=event.raw,
    )
    bounce = None
    if event.kind in _BOUNCE_KINDS or event.kind in _REPORT_KINDS:
        bounce = _bounce_event(row, event, connection, send, matched_by, plan.decisions)
    elif event.kind == EspEventKind.UNKNOWN or event.kind not in _KINDS:
        row.state = EspEventState.UNKNOWN
    elif event.kind in _RECORD_ONLY or event.kind.startswith("inbound"):
        row.state = EspEventState.RECORDED if event.kind in _RECORD_ONLY else EspEventState.UNKNOWN
    elif send is not None:
        targets: dict[str, dict] = {
            EspEventKind.DELIVERED: plan.deliveries,
            EspEventKind.OPENED: plan.opens,
            EspEventKind.CLICKED: plan.clicks,
        }
        target = targets.get(event.kind)
        if target is not None:
            target[send.pk] = send
        elif event.kind == EspEventKind.DEFERRED:
            plan.deferrals[send.pk] = clean_text(event.mta_response or event.description, 1000)
    plan.rows.append((row, bounce))


def _service_type(raw: dict) -> str:
    for name in ("eventType", "notificationType", "event", "RecordType", "Type", "type"):
        if isinstance(raw.get(name), str):
            return raw[name]
    data: object = raw.get("event-data") or next(iter((raw.get("msys") or {}).values()), {})
    return str(data.get("event") or data.get("type") or "") if isinstance(data, dict) else ""


def _bounce_event(row: _RawEvent, event: TrackingEvent, connection, send, matched_by, decisions: dict) -> BounceEvent:
    diagnostic = event.mta_response or (event.description if event.kind in _BOUNCE_KINDS else "")
    address = event.recipient or (send.email if send else "")
    if event.kind in _BOUNCE_KINDS:
        verdict = service_verdict(connection.service, event.raw, event.kind)
        decision, explanation = _decision(decisions, verdict, diagnostic, address)
        recipient = decision.recipient
        row.service_verdict, row.classifier_verdict, row.decided_by = (
            decision.service,
            decision.classifier,
            clean_text(decision.rule, 300),
        )
    else:
        reason = "vacation" if event.kind == EspEventKind.AUTORESPONDED else "feedback"
        recipient = recipient_for_reason(reason, address=address, diagnostic=diagnostic or event.description)
        explanation = explanation_fields(recipient)
    category, subtype = recipient.category, recipient.subtype
    if event.kind == EspEventKind.UNSUBSCRIBED:
        category, subtype = Category.UNSUBSCRIBE, Subtype.UNSUBSCRIBE_REQUEST
    if category not in _CATEGORIES or subtype not in _SUBTYPES:
        category, subtype = Category.UNDETERMINED, Subtype.UNDETERMINED
    return BounceEvent(
        organization_id=connection.organization_id,
        send_id=send.pk if send else None,
        learner_id=send.learner_id if send else None,
        source=EventSource.WEBHOOK,
        address=clean_text(address, 254),
        action=clean_text(recipient.action, 20),
        status=clean_text(recipient.status, 16),
        reply_code=clean_text(recipient.reply_code, 3),
        reason=recipient.reason if recipient.reason in _REASONS else Reason.UNDEFINED,
        category=category,
        subtype=subtype,
        hard=category == Category.HARD,
        diagnostic=clean_text(recipient.diagnostic or diagnostic, 5000),
        remote_mta=clean_text(recipient.remote_mta, 253),
        feedback_type=clean_text(event.description, 40) if event.kind == EspEventKind.COMPLAINED else "",
        matched_by=matched_by,
        occurred_at=row.occurred_at,
        **{**explanation, "evidence": list(explanation["evidence"])},  # a cached decision's list is shared
    )


def _decision(decisions: dict, verdict, diagnostic: str, address: str) -> tuple:
    """The classifier's and the service's decision on this text, read once per batch and text.

    The reading depends on the service's verdict and the diagnostic only (the address is not read),
    and a batch of 1,000 carries a few dozen distinct texts: ``decisions`` keeps what was decided.
    """
    key = (verdict, diagnostic)
    found = decisions.get(key)
    if found is None:
        decision = decide(verdict, diagnostic, address=address)
        decision.recipient.note("decided by", decision.rule)
        found = decisions[key] = (decision, explanation_fields(decision.recipient))
    return found


def _parse_time(text: str):
    try:  # what from_anymail wrote (isoformat); other ISO forms the slower parser reads
        return datetime.fromisoformat(text)
    except ValueError:
        return parse_datetime(text)


def _apply(plan: _Plan, inserted: set, now, result: EspBatchResult) -> None:
    """Write what the inserted events do (rows a concurrent request stored are that request's)."""
    rows = [(row, bounce) for row, bounce in plan.rows if row.event_id in inserted]
    result.stored = len(rows)
    result.unmatched = sum(row.state == EspEventState.UNMATCHED for row, _ in rows)
    result.unknown = sum(row.state == EspEventState.UNKNOWN for row, _ in rows)
    live_sends = {row.send_id for row, _ in rows if row.send_id}
    bounces = []
    for row, bounce in rows:
        if bounce is not None:
            bounce.esp_event_id = row.pk
            bounces.append(bounce)
    deliveries = [s for pk, s in plan.deliveries.items() if pk in live_sends]
    # Locked once, with what the policy reads: the policy and the deliveries use that lock.
    locked = deliverability.lock_learners_with_policy(
        [b.learner_id for b in bounces] + [s.learner_id for s in deliveries]
    )
    if bounces:
        store_and_apply_bounce_events(events=bounces, now=now, locked=locked)
        result.bounces = len(bounces)
    deferrals = {pk: text for pk, text in plan.deferrals.items() if pk in live_sends}
    record_deferrals_and_deliveries(deferrals=deferrals, deliveries=deliveries, now=now, locked=locked)
    _engagement(plan, live_sends, now)


def _engagement(plan: _Plan, live_sends: set, now) -> None:
    opened = [s for pk, s in plan.opens.items() if pk in live_sends]
    for send in sorted(opened, key=lambda s: s.learner_id):
        deliverability.record_open(learner_id=send.learner_id, now=now)
    if opened:
        ids = [s.pk for s in opened]
        Send.objects.filter(pk_in(ids)).update(open_count=F("open_count") + 1)
        Send.objects.filter(pk_in(ids), opened_at__isnull=True).update(
            opened_at=now, status=SendStatus.OPENED, status_changed_at=now
        )
    clicked = sorted((s for pk, s in plan.clicks.items() if pk in live_sends), key=lambda s: s.learner_id)
    for send in clicked:
        deliverability.record_click(learner_id=send.learner_id, now=now)
    if clicked:
        ids = [s.pk for s in clicked]
        Send.objects.filter(pk_in(ids)).update(click_count=F("click_count") + 1)
        Send.objects.filter(pk_in(ids), clicked_at__isnull=True).update(clicked_at=now)
    # The profile's activity log lists them like the pixel's and the tracked links' (the service vouches a person).
    EngagementEvent.objects.bulk_create(
        EngagementEvent(
            organization_id=send.organization_id,
            send_id=send.pk,
            learner_id=send.learner_id,
            kind=kind,
            occurred_at=now,
        )
        for kind, sends in ((EngagementKind.OPEN, opened), (EngagementKind.CLICK, clicked))
        for send in sends
    )
