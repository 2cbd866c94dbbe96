"""Subscribing, changing, rotating, enabling and removing an organization's webhook subscriptions.

The only code that writes ``WebhookSubscription`` rows besides the delivery worker's
failure bookkeeping. The secret is made here (``whsec_`` + 32 random bytes), stored
encrypted and returned once to be shown to the admin.
"""

import secrets
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from contacts.webhook_models import TEST_EVENT, WebhookDelivery, WebhookEventType, WebhookSubscription
from contacts.webhooks.events import Event, deliver_soon

SECRET_PREFIX = "whsec_"


class WebhookError(Exception):
    """The subscription cannot be changed as asked; the message says why."""


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _clean_events(events) -> list[str]:
    chosen = [event for event in WebhookEventType.values if event in set(events or ())]
    if not chosen:
        raise WebhookError(gettext("Choose at least one event to send."))
    unknown = set(events) - set(WebhookEventType.values)
    if unknown:
        raise WebhookError(gettext("Unknown event types: %(types)s.") % {"types": ", ".join(sorted(unknown))})
    return chosen


def create_subscription(
    *, organization, url: str, events, description: str = "", created_by=None
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``url`` to ``events``; return (the subscription, its secret, to be shown once)."""
    secret = _new_secret()
    subscription = WebhookSubscription(
        organization=organization,
        url=url.strip(),
        events=_clean_events(events),
        description=description.strip()[:100],
        created_by=created_by,
    )
    subscription.secret = secret
    with transaction.atomic():
        subscription.save()
    return subscription, secret


def update_subscription(*, subscription: WebhookSubscription, url: str, events, description: str = "") -> None:
    """Change where and what the subscription sends (the secret stays)."""
    subscription.url, subscription.events = url.strip(), _clean_events(events)
    subscription.description = description.strip()[:100]
    with transaction.atomic():
        subscription.save(update_fields=["url", "events", "description"])


def rotate_secret(*, subscription: WebhookSubscription) -> str:
    """Give the subscription a new secret and return it (shown once); the old one stops signing at once."""
    secret = _new_secret()
    subscription.secret = secret
    with transaction.atomic():
        subscription.save(update_fields=["secret_encrypted", "secret_hint"])
    return secret


def disable_subscription(*, subscription: WebhookSubscription, by, now=None) -> None:
    """Stop sending (events meanwhile are not recorded for it; pending deliveries wait)."""
    now = now or timezone.now()
    reason = f"Disabled by {by.get_username()}." if by else "Disabled."
    WebhookSubscription.objects.filter(pk=subscription.pk, disabled_at__isnull=True).update(
        disabled_at=now, disabled_reason=reason
    )
    subscription.refresh_from_db()


def enable_subscription(*, subscription: WebhookSubscription, now=None) -> int:
    """Send again: the failing streak starts afresh and the pending deliveries are due now; return how many."""
    now = now or timezone.now()
    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            disabled_at=None, disabled_reason="", failing_since=None
        )
        pending = WebhookDelivery.objects.filter(subscription=subscription, status="pending").update(
            next_attempt_at=now, claimed_at=None
        )
        if pending:
            transaction.on_commit(deliver_soon, robust=True)
    subscription.refresh_from_db()
    return pending


def delete_subscription(*, subscription: WebhookSubscription) -> None:
    """Remove the subscription with its deliveries and their attempts."""
    with transaction.atomic():
        subscription.delete()


def send_test_event(*, subscription: WebhookSubscription, sent_by=None, now=None) -> WebhookDelivery:
    """Queue a ``webhook.test`` event to this subscription alone (delivered after commit like any other)."""
    now = now or timezone.now()
    data = {"message": "A test event from BouncePortal.", "sent_by": sent_by.get_username() if sent_by else None}
    event = Event(subscription.organization_id, TEST_EVENT, data, now, uuid.uuid4())
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            subscription=subscription,
            event_id=event.id,
            event_type=TEST_EVENT,
            payload=event.envelope(now),
            created_at=now,
            next_attempt_at=now,
        )
        transaction.on_commit(deliver_soon, robust=True)
    return delivery
