"""Delivering the outbox: POST each due delivery, record the attempt, retry with backoff, disable what keeps failing.

At least once: a delivery is claimed (``claimed_at``, a lease longer than the timeout) so two
sweeps never POST it at the same time, and it stays pending until an attempt gets a 2xx; a
worker that dies mid-POST leaves the claim to expire and the delivery is tried again. The
receiver tells repeats apart by ``Idempotency-Key``. Order is not guaranteed.

A failed attempt waits ``WEBHOOK_RETRY_BASE_SECONDS`` doubled per attempt (at most
``WEBHOOK_RETRY_MAX_SECONDS``, plus up to 10 % jitter so failed deliveries do not retry in
lockstep). A subscription failing without a success for ``WEBHOOK_DISABLE_AFTER_SECONDS``
(a day) is disabled and the organization's admins are emailed; its pending deliveries wait
and go out when an admin enables it again. A delivery older than
``WEBHOOK_GIVE_UP_AFTER_SECONDS`` that fails once more is given up. Every POST goes through
the egress guard (``bounceportal.egress``): https to public addresses only.
"""

import http.client
import json
import logging
import random
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bounceportal.egress import EgressRefused, http_request
from bounceportal.secrets_box import SecretDecryptionError
from contacts.webhook_models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription
from contacts.webhooks.notify import email_admins_about_disabled
from contacts.webhooks.signing import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)

CLAIM_BATCH = 50
SWEEP_BUDGET_SECONDS = 50
USER_AGENT = "BouncePortal-Webhooks/1"


def retry_delay(attempts: int) -> timedelta:
    """How long a delivery waits after its ``attempts``-th failed attempt (exponential, capped, jittered)."""
    seconds = min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 30), settings.WEBHOOK_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds * (1 + random.random() / 10))


def deliver_due_webhooks(*, now=None, limit: int = CLAIM_BATCH, budget_seconds: float = SWEEP_BUDGET_SECONDS) -> int:
    """POST every due delivery of an active subscription, oldest first; return how many were attempted.

    Once a subscription fails in this sweep its other deliveries wait for the next one, so a
    dead endpoint costs one timeout per sweep, not one per event. ``now`` fixes the clock (tests).
    """
    fixed_now = now
    started = time.monotonic()
    failing: set[int] = set()
    attempted = 0
    while time.monotonic() - started < budget_seconds:
        ids = _claim_due(fixed_now or timezone.now(), limit, failing)
        if not ids:
            break
        deliveries = WebhookDelivery.objects.filter(pk__in=ids).select_related("subscription").order_by("pk")
        for delivery in deliveries:
            if delivery.subscription_id in failing:
                WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_at=None)
                continue
            if not attempt_delivery(delivery=delivery, now=fixed_now or timezone.now()):
                failing.add(delivery.subscription_id)
            attempted += 1
    return attempted


def _claim_due(now, limit: int, failing: set[int]) -> list[int]:
    """Claim up to ``limit`` due deliveries (SKIP LOCKED, so concurrent sweeps take different ones)."""
    lease = now - timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)
    with transaction.atomic():
        due = (
            WebhookDelivery.objects.filter(
                status=DeliveryStatus.PENDING, next_attempt_at__lte=now, subscription__disabled_at__isnull=True
            )
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease))
            .exclude(subscription_id__in=failing)
            .order_by("next_attempt_at", "pk")
        )
        ids = list(due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[:limit])
        if ids:
            WebhookDelivery.objects.filter(pk__in=ids).update(claimed_at=now)
    return ids


def request_for(delivery: WebhookDelivery, *, secret: str, now) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt: the body is the same every time, the signature is the attempt's."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-BouncePortal-Event": delivery.event_type,
        "X-BouncePortal-Delivery": str(delivery.pk),
        "Idempotency-Key": str(delivery.event_id),
        SIGNATURE_HEADER: signature_header(secret=secret, body=body, timestamp=int(now.timestamp())),
    }
    return body, headers


def attempt_delivery(*, delivery: WebhookDelivery, now) -> bool:
    """POST the delivery once and record the attempt; return True when the receiver answered 2xx."""
    status_code, error, excerpt = None, "", ""
    started = time.monotonic()
    try:
        body, headers = request_for(delivery, secret=delivery.subscription.secret, now=now)
        response = http_request(
            delivery.subscription.url,
            method="POST",
            body=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
        status_code, excerpt = response.status, response.body[:300].decode("utf-8", "replace")
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}" + (" (redirects are not followed)" if 300 <= status_code < 400 else "")
    except EgressRefused as refused:
        error = str(refused)
    except SecretDecryptionError:
        error = "The signing secret cannot be decrypted with the current key: rotate the secret."
    except TimeoutError:
        error = f"Timed out after {settings.WEBHOOK_TIMEOUT_SECONDS} s."
    except (OSError, http.client.HTTPException) as failure:
        error = f"Connection failed: {type(failure).__name__}: {failure}"
    duration_ms = int((time.monotonic() - started) * 1000)
    record_attempt(
        delivery=delivery, now=now, status_code=status_code, error=error, excerpt=excerpt, duration_ms=duration_ms
    )
    return not error


def record_attempt(*, delivery: WebhookDelivery, now, status_code, error: str, excerpt: str, duration_ms: int) -> None:
    """Store the attempt and its consequences (delivered, retry later, given up, subscription disabled)."""
    error = error[:300]
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
        number = delivery.attempts + 1
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=now,
            duration_ms=duration_ms,
            status_code=status_code,
            error=error,
            response_excerpt=excerpt[:300],
        )
        fields: dict = {"attempts": number, "claimed_at": None, "last_status_code": status_code, "last_error": error}
        if not error:
            fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now)
            subscription.failing_since, subscription.last_success_at = None, now
            subscription.save(update_fields=["failing_since", "last_success_at"])
        else:
            if now - delivery.created_at >= timedelta(seconds=settings.WEBHOOK_GIVE_UP_AFTER_SECONDS):
                fields["status"] = DeliveryStatus.FAILED
            else:
                fields["next_attempt_at"] = now + retry_delay(number)
            _note_failure(subscription, now, error)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)


def _note_failure(subscription: WebhookSubscription, now, error: str) -> None:
    """Start the subscription's failing streak, or disable it once the streak is a day long."""
    if subscription.failing_since is None:
        subscription.failing_since = now
        subscription.save(update_fields=["failing_since"])
        return
    if subscription.disabled_at is not None:
        return
    if now - subscription.failing_since < timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER_SECONDS):
        return
    hours = (now - subscription.failing_since).total_seconds() / 3600
    subscription.disabled_at = now
    subscription.disabled_reason = (f"Every attempt failed for {hours:.0f} hours; the last: {error}")[:300]
    subscription.save(update_fields=["disabled_at", "disabled_reason"])
    logger.warning("Webhook subscription %s disabled: %s", subscription.pk, subscription.disabled_reason)
    transaction.on_commit(partial(email_admins_about_disabled, subscription.pk), robust=True)
