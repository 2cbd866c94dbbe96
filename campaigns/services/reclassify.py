"""Re-classify stored inbound messages after a classifier upgrade, replacing their events.

What replacing means for learners (the choice, and why):

- A message whose new verdict is the same as its stored events (same recipients,
  categories, reasons, codes, sends and match) is left exactly as it is: running
  this twice, or on an unchanged message, changes nothing anywhere.
- Otherwise, in one transaction per batch: the effects of the old events are taken
  back where they can be — each applied soft bounce / mail block that counted
  comes off the learner's consecutive soft-bounce count and each bounce off
  ``bounce_count`` (never below zero); a learner whose current status was set by
  one of the old events goes back to active; a send they bounced goes back to
  sent. Then the old events are deleted, the new ones inserted and applied
  through ``apply_bounce_events`` like fresh ones, and deferred / delivered
  recipients update their sends. So an event is never counted twice, and a
  learner suppressed only by a mistaken verdict is active again; a learner the
  new verdict suppresses again stays suppressed with the new event as the cause.
  A learner who ends up active after having been suppressed by an old event gets
  a Clearance audit row (via "admin", the re-classify action's home).
- Not taken back: auto-reply flags, tags and resend-list entries added by
  automation rules, notifications already sent, and the "last bounce" columns
  (the new events overwrite them when there are any). A consecutive count that
  an open or delivery reset after the old event may end up lower than exact;
  the floor at zero keeps it sane. These are the cases where guessing would be
  worse than leaving the state as a person may already have acted on it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bounceportal.db import update_fields_many
from campaigns.models import BounceEvent, EventOutcome, InboundMessage, Send, SendStatus
from campaigns.services.inbound import (
    Outcomes,
    classifier_version,
    classify_raw,
    clean_text,
    plan_message,
    write_outcomes,
)
from campaigns.services.matching import SendMatcher
from contacts.choices import SOFT_COUNTING_CATEGORIES, Category, ClearedVia, DeliverabilityStatus
from contacts.models import Clearance, Learner

BATCH_SIZE = 100
_COUNTED = (EventOutcome.COUNTED, EventOutcome.SUPPRESSED)
_SIGNATURE = (
    "recipient_index",
    "address",
    "action",
    "status",
    "reply_code",
    "reason",
    "category",
    "subtype",
    "send_id",
    "matched_by",
)


def reclassify_messages(*, messages: QuerySet) -> int:
    """Re-run the classifier on each stored message and replace its events; return how many were re-classified.

    Every message of the queryset counts once, whether or not its verdict
    changed (unchanged ones are left untouched). See the module docstring for
    what happens to learners whose state the old events changed.
    """
    ids = list(messages.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        _reclassify_batch(ids[start : start + BATCH_SIZE])
    return len(ids)


def _signature(events) -> list[tuple]:
    return sorted(tuple(-1 if getattr(e, name) is None else getattr(e, name) for name in _SIGNATURE) for e in events)


def _reclassify_batch(ids: list[int]) -> None:
    now = timezone.now()
    with transaction.atomic():
        rows = list(InboundMessage.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        old_by_message: dict[int, list[BounceEvent]] = {row.pk: [] for row in rows}
        for event in BounceEvent.objects.filter(inbound_message_id__in=old_by_message):
            if event.inbound_message_id is not None:  # always, by the filter
                old_by_message[event.inbound_message_id].append(event)
        replaced_old, merged, changed_rows = [], Outcomes(events=[], deferrals={}, deliveries=[]), []
        for organization_id in {row.organization_id for row in rows}:
            org_rows = [row for row in rows if row.organization_id == organization_id]
            classified = {
                row.pk: classify_raw(row.pk, bytes(row.raw), size=row.size, digest=row.digest) for row in org_rows
            }
            matcher = SendMatcher(
                organization_id=organization_id,
                clues=[c.clues for c in classified.values()],
                now=max(row.received_at for row in org_rows),
                earliest=min(row.received_at for row in org_rows),
            )
            for row in org_rows:
                item = classified[row.pk]
                outcomes = Outcomes(events=[], deferrals={}, deliveries=[])
                matched_by = plan_message(row, item, matcher, row.received_at, outcomes)
                _update_row(row, item, matched_by, now)
                if _signature(outcomes.events) == _signature(old_by_message[row.pk]):
                    continue  # same verdict: keep the events and what they did
                replaced_old.extend(old_by_message[row.pk])
                merged.events.extend(outcomes.events)
                merged.deferrals.update(outcomes.deferrals)
                merged.deliveries.extend(outcomes.deliveries)
            changed_rows.extend(org_rows)
        reverted = _take_back(replaced_old, now)
        BounceEvent.objects.filter(pk__in=[e.pk for e in replaced_old]).delete()
        update_fields_many(
            changed_rows,
            [
                "kind",
                "is_bounce",
                "parse_error",
                "original_message_id",
                "send_token",
                "matched_by",
                "processed_at",
                "classifier_version",
            ],
        )
        write_outcomes(merged, now)
        _audit_reverted(reverted, now)


def _update_row(row: InboundMessage, item, matched_by: str, now) -> None:
    row.kind, row.is_bounce = item.kind, item.result.is_bounce
    row.parse_error = clean_text(item.parse_error, 5000)
    row.original_message_id = clean_text(item.result.original_message_id, 300)
    row.send_token = clean_text(item.clues.tokens[0], 64) if item.clues.tokens else ""
    row.matched_by, row.classifier_version = matched_by, classifier_version()
    row.processed_at = row.processed_at or now


def _take_back(old_events: list[BounceEvent], now) -> dict[int, dict]:
    """Undo the old events' counts and statuses; return {learner id: state before} of reverted learners."""
    applied = [e for e in old_events if e.applied_at and e.learner_id]
    learners = {
        learner.pk: learner
        for learner in Learner.objects.select_for_update().filter(pk__in={e.learner_id for e in applied}).order_by("pk")
    }
    old_ids = {e.pk for e in old_events}
    for event in applied:
        learner = learners.get(event.learner_id) if event.learner_id is not None else None
        if learner is None:
            continue
        if event.category in SOFT_COUNTING_CATEGORIES and event.outcome in _COUNTED:
            learner.soft_bounce_count = max(learner.soft_bounce_count - 1, 0)
        if event.category in (Category.HARD, *SOFT_COUNTING_CATEGORIES):
            learner.bounce_count = max(learner.bounce_count - 1, 0)
    reverted = {}
    for learner in learners.values():
        if learner.status_event_id in old_ids:
            reverted[learner.pk] = {
                "organization_id": learner.organization_id,
                "previous_status": learner.status,
                "previous_reason": learner.status_reason,
                "previous_category": learner.last_bounce_category,
                "previous_subtype": learner.last_bounce_subtype,
                "previous_soft_bounce_count": learner.soft_bounce_count,
            }
            learner.status, learner.status_reason = DeliverabilityStatus.ACTIVE, ""
            learner.status_since, learner.status_event = now, None
    update_fields_many(
        list(learners.values()),
        ["soft_bounce_count", "bounce_count", "status", "status_reason", "status_since", "status_event"],
    )
    bounced_sends = {
        e.send_id for e in old_events if e.send_id and e.category in (Category.HARD, *SOFT_COUNTING_CATEGORIES)
    }
    if bounced_sends:
        Send.objects.filter(pk__in=bounced_sends, status=SendStatus.BOUNCED).update(
            status=SendStatus.SENT, bounced_at=None, status_changed_at=now
        )
    return reverted


def _audit_reverted(reverted: dict[int, dict], now) -> None:
    """A Clearance row for each learner the re-classification left active after a suppression."""
    if not reverted:
        return
    still_active = set(
        Learner.objects.filter(pk__in=reverted, status=DeliverabilityStatus.ACTIVE).values_list("pk", flat=True)
    )
    Clearance.objects.bulk_create(
        [
            Clearance(
                learner_id=pk,
                cleared_by=None,
                via=ClearedVia.ADMIN,
                created_at=now,
                note="Bounce re-classified: the event that set this status was replaced.",
                **state,
            )
            for pk, state in reverted.items()
            if pk in still_active
        ]
    )
