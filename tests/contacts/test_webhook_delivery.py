"""Delivering webhooks to a real loopback receiver that fails, hangs and succeeds.

Time is moved by passing ``now`` to the sweep, never slept through (the only wait is the
receiver hanging past a one-second timeout).
"""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bounceportal.egress import REFUSED_TEXT
from contacts.webhook_models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from contacts.webhooks.delivery import deliver_due_webhooks
from contacts.webhooks.events import Event, record_events
from contacts.webhooks.signing import SIGNATURE_HEADER, verify_signature
from contacts.webhooks.subscriptions import create_subscription, enable_subscription
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription_and_secret(org, receiver):
    return create_subscription(organization=org, url=receiver.url, events=["learner.suppressed"])


def queue_event(org, now, **data):
    event = Event(org.pk, "learner.suppressed", {"learner": {"id": 1, "email": "a@school.example"}, **data}, now)
    record_events([event], now=now)
    return event


def test_the_signature_verifies_with_the_secret_and_a_replay_or_a_changed_body_does_not(
    org, receiver, subscription_and_secret
):
    _subscription, secret = subscription_and_secret
    now = timezone.now()
    queue_event(org, now)

    deliver_due_webhooks(now=now)

    [request] = receiver.requests
    header = request.headers[SIGNATURE_HEADER]
    assert header.startswith(f"t={int(now.timestamp())},v1=")
    assert verify_signature(secret=secret, body=request.body, header=header, now=now.timestamp())
    assert not verify_signature(secret=secret, body=request.body, header=header, now=now.timestamp() + 301)
    assert not verify_signature(secret=secret, body=request.body + b" ", header=header, now=now.timestamp())
    assert not verify_signature(secret="whsec_other", body=request.body, header=header, now=now.timestamp())


def test_failures_are_retried_with_exponential_backoff_under_one_idempotency_key(
    org, receiver, subscription_and_secret
):
    receiver.script = [500, 502]
    t0 = timezone.now()
    event = queue_event(org, t0)
    delivery = WebhookDelivery.objects.get()

    deliver_due_webhooks(now=t0)
    delivery.refresh_from_db()
    first_wait = delivery.next_attempt_at - t0
    assert deliver_due_webhooks(now=t0 + timedelta(seconds=20)) == 0  # not due yet
    deliver_due_webhooks(now=delivery.next_attempt_at)
    t2 = delivery.next_attempt_at
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - t2
    deliver_due_webhooks(now=delivery.next_attempt_at)

    delivery.refresh_from_db()
    assert timedelta(seconds=30) <= first_wait <= timedelta(seconds=33)
    assert timedelta(seconds=60) <= second_wait <= timedelta(seconds=66)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    attempts = list(delivery.attempt_rows.order_by("number").values_list("status_code", "error"))
    assert attempts == [(500, "HTTP 500"), (502, "HTTP 502"), (200, "")]
    assert {r.headers["Idempotency-Key"] for r in receiver.requests} == {str(event.id)}
    assert len({r.headers[SIGNATURE_HEADER] for r in receiver.requests}) == 3  # each attempt signed afresh
    assert len({r.body for r in receiver.requests}) == 1
    assert json.loads(receiver.requests[0].body)["id"] == str(event.id)


def test_a_receiver_that_hangs_past_the_timeout_is_recorded_as_timed_out_and_retried(
    org, receiver, subscription_and_secret, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.script, receiver.hang_seconds = ["hang"], 2
    now = timezone.now()
    queue_event(org, now)

    deliver_due_webhooks(now=now)

    delivery = WebhookDelivery.objects.get()
    [attempt] = delivery.attempt_rows.all()
    assert attempt.status_code is None and attempt.error == "Timed out after 1 s."
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at > now
    assert delivery.claimed_at is None


def test_a_day_of_failures_disables_the_subscription_and_tells_the_admins(
    org, admin_member, receiver, subscription_and_secret, client, django_capture_on_commit_callbacks
):
    admin_member.user.email = "alice@acme.example"
    admin_member.user.save()
    MembershipFactory(organization=org, role="viewer", user__email="victor@acme.example")
    subscription, _secret = subscription_and_secret
    receiver.then = 503
    t0 = timezone.now()
    queue_event(org, t0)

    deliver_due_webhooks(now=t0)
    deliver_due_webhooks(now=t0 + timedelta(hours=12))
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.failing_since == t0
    with django_capture_on_commit_callbacks(execute=True):
        deliver_due_webhooks(now=t0 + timedelta(hours=24, seconds=1))

    subscription.refresh_from_db()
    assert not subscription.is_active
    assert "failed for 24 hours" in subscription.disabled_reason and "HTTP 503" in subscription.disabled_reason
    [message] = mail.outbox
    assert message.to == ["alice@acme.example"] and receiver.url in message.subject
    assert deliver_due_webhooks(now=t0 + timedelta(hours=30)) == 0  # nothing more is sent to it
    assert len(receiver.requests) == 3
    client.force_login(admin_member.user)
    page = client.get(reverse("contacts:webhook-list")).content.decode()
    assert "Disabled" in page and "HTTP 503" in page


def test_enabling_again_sends_what_waited_and_a_success_ends_the_failing_streak(org, receiver, subscription_and_secret):
    subscription, _secret = subscription_and_secret
    receiver.then = 503
    t0 = timezone.now()
    queue_event(org, t0)
    for hours in (0, 12, 25):
        deliver_due_webhooks(now=t0 + timedelta(hours=hours))
    receiver.then = 204

    enable_subscription(subscription=subscription, now=t0 + timedelta(hours=26))
    deliver_due_webhooks(now=t0 + timedelta(hours=26))

    subscription.refresh_from_db()
    assert subscription.is_active and subscription.failing_since is None
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_dead_endpoint_costs_one_attempt_per_sweep_not_one_per_event(org, receiver, subscription_and_secret):
    receiver.then = 500
    now = timezone.now()
    for _ in range(3):
        queue_event(org, now)

    assert deliver_due_webhooks(now=now) == 1

    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.filter(attempts=0, claimed_at__isnull=True).count() == 2


def test_a_url_the_egress_guard_refuses_is_an_error_and_no_request(org, receiver, subscription_and_secret, settings):
    settings.EGRESS_ALLOWED_NETWORKS = []
    now = timezone.now()
    queue_event(org, now)

    deliver_due_webhooks(now=now)

    assert receiver.requests == []
    assert WebhookDelivery.objects.get().last_error == REFUSED_TEXT


def test_a_delivery_failing_past_the_give_up_age_is_given_up(org, receiver, subscription_and_secret, settings):
    settings.WEBHOOK_DISABLE_AFTER_SECONDS = 10 * 24 * 3600
    receiver.then = 500
    t0 = timezone.now()
    queue_event(org, t0)

    deliver_due_webhooks(now=t0 + timedelta(days=3, seconds=1))

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1


def test_the_secret_is_stored_encrypted(subscription_and_secret):
    subscription, secret = subscription_and_secret

    stored = WebhookSubscription.objects.values_list("secret_encrypted", flat=True).get()

    assert secret.startswith("whsec_") and secret not in stored
    assert WebhookSubscription.objects.get().secret == secret
    assert subscription.secret_hint == secret[:12]
