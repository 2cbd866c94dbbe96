"""The outbox: a transition writes its webhook events here, in its own transaction.

``record_events`` is called by the one owner of each state change (``contacts.deliverability``
for learners, ``campaigns.services.guard`` / ``sending`` / ``scheduling`` for runs) inside the
transaction that makes the change. It writes one ``WebhookDelivery`` per event and active
subscription that wants it, and asks the worker to deliver them after commit. A rolled-back
transition leaves no row, so nothing is sent; a committed one leaves its rows even when the
broker or the worker is down at that moment, and the beat sweep delivers them later.

Cost when nobody subscribes: one query (the organizations' active subscriptions) per batch of
events, and none for a batch without events.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from contacts.webhook_models import WebhookDelivery, WebhookEventType, WebhookSubscription
from contacts.webhooks.tasks import deliver_due_webhooks

_LEARNER_FIELDS = (
    "id",
    "email",
    "status",
    "status_reason",
    "status_since",
    "last_bounce_category",
    "last_bounce_subtype",
)


@dataclass
class Event:
    """One thing that happened in an organization, as a subscriber is told it."""

    organization_id: int
    type: str
    data: dict
    occurred_at: datetime | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    def envelope(self, now) -> dict:
        occurred = self.occurred_at or now
        return {
            "id": str(self.id),
            "type": self.type,
            "created_at": occurred.isoformat(),
            "organization": self.organization_id,
            "data": self.data,
        }


def subscriptions_for(organization_ids: Iterable[int]) -> dict[int, list[WebhookSubscription]]:
    """The active subscriptions of these organizations, by organization (one query)."""
    ids = set(organization_ids)
    found: dict[int, list[WebhookSubscription]] = {}
    if not ids:
        return found
    for subscription in (
        WebhookSubscription.objects.active().filter(organization_id__in=ids).only("pk", "organization_id", "events")
    ):
        found.setdefault(subscription.organization_id, []).append(subscription)
    return found


def wanted(organization_ids: Iterable[int], event_type: str) -> set[int]:
    """The organizations among these with an active subscription to ``event_type`` (one query)."""
    return {
        org_id
        for org_id, subscriptions in subscriptions_for(organization_ids).items()
        if any(s.subscribes_to(event_type) for s in subscriptions)
    }


def record_events(events: Sequence[Event], *, now=None) -> int:
    """Write the deliveries of ``events`` in the caller's transaction; return how many rows were written.

    The deliveries are handed to the worker after commit (``deliver_due_webhooks``).
    """
    if not events:
        return 0
    now = now or timezone.now()
    subscriptions = subscriptions_for(event.organization_id for event in events)
    rows = [
        WebhookDelivery(
            subscription_id=subscription.pk,
            event_id=event.id,
            event_type=event.type,
            payload=event.envelope(now),
            created_at=now,
            next_attempt_at=now,
        )
        for event in events
        for subscription in subscriptions.get(event.organization_id, ())
        if subscription.subscribes_to(event.type)
    ]
    if rows:
        WebhookDelivery.objects.bulk_create(rows, batch_size=1000)
        transaction.on_commit(deliver_soon, robust=True)
    return len(rows)


def deliver_soon() -> None:
    deliver_due_webhooks.delay()


def learner_data(learner: dict, **extra) -> dict:
    """The ``data`` of a learner event: the learner as it is after the change, and what changed it."""
    since = learner.get("status_since")
    return {
        "learner": {
            "id": learner["id"],
            "email": learner["email"],
            "status": learner["status"],
            "status_reason": learner["status_reason"],
            "status_since": since.isoformat() if since else None,
            "last_bounce_category": learner["last_bounce_category"],
            "last_bounce_subtype": learner["last_bounce_subtype"],
        },
        **extra,
    }


def record_learner_events(learners: Iterable, event_type: str, *, now=None, **extra) -> int:
    """Record ``event_type`` for each learner (model instances, or dicts of ``_LEARNER_FIELDS`` with
    ``organization_id``); ``extra`` goes into every event's data (``via`` for a clear)."""
    rows = [learner if isinstance(learner, dict) else _as_dict(learner) for learner in learners]
    if not rows:
        return 0
    orgs = wanted({row["organization_id"] for row in rows}, event_type)
    events = [
        Event(row["organization_id"], event_type, learner_data(row, **extra), now)
        for row in rows
        if row["organization_id"] in orgs
    ]
    return record_events(events, now=now) if events else 0


def record_cleared(learner_queryset, *, via: str, now=None) -> int:
    """``learner.cleared`` for the learners of ``learner_queryset`` (read only when someone subscribes)."""
    ids = list(learner_queryset.values_list("organization_id", flat=True).distinct())
    if not wanted(ids, WebhookEventType.LEARNER_CLEARED):
        return 0
    rows = learner_queryset.values("organization_id", *_LEARNER_FIELDS)
    return record_learner_events(list(rows), WebhookEventType.LEARNER_CLEARED, now=now, via=via)


def _as_dict(learner) -> dict:
    return {"organization_id": learner.organization_id, **{name: getattr(learner, name) for name in _LEARNER_FIELDS}}
