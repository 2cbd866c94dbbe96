"""What a re-classify would change, shown to support before it is applied (issue #15, item 4).

The preview runs the real re-classification (``reclassify_messages``: the same
classifier, matcher and ``contacts.deliverability`` revert/apply transitions) inside
a transaction that is always rolled back, and compares the events and the learners'
statuses before and after. So the preview cannot drift from what "Apply" does; it
writes nothing, and what it queued for after commit (notifications) is discarded
with the rollback. Large selections are previewed on their first ``PREVIEW_LIMIT``
messages, and the page says so.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from campaigns.models import BounceEvent, InboundMessage
from campaigns.services.reclassify import reclassify_messages
from contacts.choices import DeliverabilityStatus
from contacts.models import Learner

PREVIEW_LIMIT = 2_000
SAMPLE_SIZE = 20
_EVENT_FIELDS = (
    "pk",
    "inbound_message_id",
    "recipient_index",
    "address",
    "category",
    "subtype",
    "reason",
    "learner_id",
)


@dataclass(frozen=True)
class EventChange:
    message_id: int
    address: str
    old: tuple[str, str, str] | None  # (category, subtype, reason); None for an event the new verdict adds
    new: tuple[str, str, str] | None  # None for an event the new verdict drops


@dataclass(frozen=True)
class LearnerChange:
    learner_id: int
    email: str
    before: str
    after: str


@dataclass
class ReclassifyPreview:
    selected: int
    previewed: int
    changed_messages: int = 0
    reason_changes: int = 0
    category_changes: int = 0
    added_events: int = 0
    removed_events: int = 0
    to_active: int = 0  # bounced → active
    to_bounced: int = 0  # active → bounced
    other_status_changes: int = 0
    events: list[EventChange] = field(default_factory=list)
    learners: list[LearnerChange] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(self.changed_messages)


class _RollBack(Exception):
    """Raised to roll the trial re-classification back."""


def preview_reclassify(*, messages: QuerySet, reclassified_by, limit: int = PREVIEW_LIMIT) -> ReclassifyPreview:
    """Return what re-classifying ``messages`` would change (events, learners' statuses); change nothing."""
    ids = list(messages.order_by("pk").values_list("pk", flat=True)[:limit])
    preview = ReclassifyPreview(selected=messages.count(), previewed=len(ids))
    old = _events(ids)
    try:
        with transaction.atomic():
            reclassify_messages(messages=InboundMessage.objects.filter(pk__in=ids), reclassified_by=reclassified_by)
            new = _events(ids)
            learner_ids = {e["learner_id"] for e in (*old, *new) if e["learner_id"]}
            after = _statuses(learner_ids)
            raise _RollBack
    except _RollBack:
        pass
    _compare_events(preview, old, new)
    _compare_learners(preview, _statuses(learner_ids), after)
    return preview


def _events(message_ids: list[int]) -> list[dict]:
    return list(BounceEvent.objects.filter(inbound_message_id__in=message_ids).order_by("pk").values(*_EVENT_FIELDS))


def _statuses(learner_ids) -> dict[int, tuple[str, str]]:
    rows = Learner.objects.filter(pk__in=learner_ids).values_list("pk", "status", "email")
    return {pk: (status, email) for pk, status, email in rows}


def _verdict(event: dict) -> tuple[str, str, str]:
    return event["category"], event["subtype"], event["reason"]


def _compare_events(preview: ReclassifyPreview, old: list[dict], new: list[dict]) -> None:
    """Pair each message's old and new events by recipient; count and sample what differs."""
    old_pks = {e["pk"] for e in old}
    replaced = [e for e in old if e["pk"] not in {n["pk"] for n in new}]
    added = [e for e in new if e["pk"] not in old_pks]
    preview.changed_messages = len({e["inbound_message_id"] for e in (*replaced, *added)})
    new_by_recipient = {(e["inbound_message_id"], e["recipient_index"], e["address"].lower()): e for e in added}
    for before in replaced:
        after = new_by_recipient.pop(
            (before["inbound_message_id"], before["recipient_index"], before["address"].lower()), None
        )
        if after is None:
            preview.removed_events += 1
            _sample(preview, EventChange(before["inbound_message_id"], before["address"], _verdict(before), None))
            continue
        preview.reason_changes += before["reason"] != after["reason"]
        preview.category_changes += before["category"] != after["category"]
        if _verdict(before) != _verdict(after):
            _sample(
                preview, EventChange(before["inbound_message_id"], before["address"], _verdict(before), _verdict(after))
            )
    for after in new_by_recipient.values():
        preview.added_events += 1
        _sample(preview, EventChange(after["inbound_message_id"], after["address"], None, _verdict(after)))


def _sample(preview: ReclassifyPreview, change: EventChange) -> None:
    if len(preview.events) < SAMPLE_SIZE:
        preview.events.append(change)


def _compare_learners(preview: ReclassifyPreview, before: dict, after: dict) -> None:
    for pk in sorted(before):
        was, email = before[pk]
        now = after.get(pk, before[pk])[0]
        if was == now:
            continue
        if (was, now) == (DeliverabilityStatus.BOUNCED, DeliverabilityStatus.ACTIVE):
            preview.to_active += 1
        elif (was, now) == (DeliverabilityStatus.ACTIVE, DeliverabilityStatus.BOUNCED):
            preview.to_bounced += 1
        else:
            preview.other_status_changes += 1
        if len(preview.learners) < SAMPLE_SIZE:
            preview.learners.append(LearnerChange(pk, email, was, now))
