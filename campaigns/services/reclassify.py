"""Re-classify stored inbound messages after a classifier upgrade, replacing their events.

What replacing means for learners (the choice, and why):

- A message whose new verdict is the same as its stored events (same recipients,
  categories, reasons, codes, sends and match) is left exactly as it is: running
  this twice, or on an unchanged message, changes nothing anywhere.
- Otherwise, in one transaction per batch, the new events are stored and
  ``replace_bounce_events`` hands old and new to ``contacts.deliverability``'s
  ``revert_bounces``: the old events' counts and statuses are taken back and
  the new ones applied like fresh ones, so an event is never counted twice. A
  learner suppressed only by a mistaken verdict is active again, with a
  Clearance naming the support user who re-classified and ``via=reclassify``
  (counted in ``times_cleared`` like any clear); one the new verdict suppresses
  again stays suppressed with the new event as the cause, and no Clearance. A
  send an old event bounced goes back to sent. The old events are kept as the
  audit of what was decided then, marked ``superseded_at`` (``BounceEvent.objects``
  no longer returns them), and deferred / delivered recipients update their sends.
- What is not taken back (auto-reply flags, automation's tags and resend list,
  notifications sent, the "last bounce" columns) is listed on ``revert_bounces``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bounceportal.db import update_fields_many
from campaigns.models import BounceEvent, InboundMessage
from campaigns.services.inbound import (
    EVENT_BATCH,
    Outcomes,
    classifier_version,
    classify_raw,
    clean_text,
    not_yet_counted,
    plan_message,
    write_outcomes,
)
from campaigns.services.matching import SendMatcher
from campaigns.services.policy import lock_learners_in_order, replace_bounce_events

BATCH_SIZE = 100
REVERT_NOTE = "Bounce re-classified: the event that set this status was replaced."
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


def reclassify_messages(*, messages: QuerySet, reclassified_by) -> int:
    """Re-run the classifier on each stored message and replace its events; return how many were re-classified.

    Every message of the queryset counts once, whether or not its verdict
    changed (unchanged ones are left untouched); messages whose body retention
    purged are left out (their headers alone would read as "not a bounce" and
    supersede the events they produced). ``reclassified_by`` is the
    support user who asked (None only when nobody did): each learner this clears
    gets a Clearance naming them. See the module docstring for what happens to
    learners whose state the old events changed.
    """
    ids = list(messages.filter(body_purged_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        _reclassify_batch(ids[start : start + BATCH_SIZE], reclassified_by)
    return len(ids)


def _signature(events) -> list[tuple]:
    return sorted(tuple(-1 if getattr(e, name) is None else getattr(e, name) for name in _SIGNATURE) for e in events)


def _reclassify_batch(ids: list[int], reclassified_by) -> None:
    now = timezone.now()
    with transaction.atomic():
        # The purge filter again under the lock: retention may have purged a row since the ids were read.
        rows = list(
            InboundMessage.objects.select_for_update().filter(pk__in=ids, body_purged_at__isnull=True).order_by("pk")
        )
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
        lock_learners_in_order(
            [e.learner_id for e in (*replaced_old, *merged.events)] + [s.learner_id for s in merged.deliveries]
        )
        # The old events stay, superseded (audit rows are append-only: bounceportal/audit.py), before the new
        # ones exist, so at no point do both count.
        BounceEvent.objects.filter(pk__in=[e.pk for e in replaced_old]).update(superseded_at=now)
        counted = not_yet_counted(merged.events, replacing=replaced_old)
        new_events = BounceEvent.objects.bulk_create(counted, batch_size=EVENT_BATCH) if counted else []
        if replaced_old or new_events:
            replace_bounce_events(
                old_events=replaced_old, new_events=new_events, replaced_by=reclassified_by, note=REVERT_NOTE, now=now
            )
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
        write_outcomes(Outcomes(events=[], deferrals=merged.deferrals, deliveries=merged.deliveries), now)


def _update_row(row: InboundMessage, item, matched_by: str, now) -> None:
    row.kind, row.is_bounce = item.kind, item.result.is_bounce
    row.parse_error = clean_text(item.parse_error, 5000)
    row.original_message_id = clean_text(item.result.original_message_id, 300)
    row.send_token = clean_text(item.clues.tokens[0], 64) if item.clues.tokens else ""
    row.matched_by, row.classifier_version = matched_by, classifier_version()
    row.processed_at = row.processed_at or now
