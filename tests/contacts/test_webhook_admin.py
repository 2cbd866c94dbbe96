"""Outbound webhooks in the Django admin: support staff see any organization's subscriptions and
deliveries with their attempts, fix subscriptions, and never see a secret."""

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.webhook_models import WebhookSubscription
from contacts.webhooks.delivery import record_attempt
from contacts.webhooks.events import Event, record_events
from contacts.webhooks.subscriptions import create_subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_subscription(other_org):
    subscription, secret = create_subscription(
        organization=other_org, url="https://hooks.other.example/in", events=["learner.suppressed"]
    )
    now = timezone.now()
    record_events([Event(other_org.pk, "learner.suppressed", {"learner": {"id": 1}}, now)], now=now)
    delivery = subscription.deliveries.get()
    record_attempt(delivery=delivery, now=now, status_code=500, error="HTTP 500", excerpt="boom", duration_ms=12)
    return subscription, secret


def test_support_staff_see_subscriptions_and_attempts_but_never_the_secret(cx_client, failing_subscription):
    subscription, secret = failing_subscription
    delivery = subscription.deliveries.get()

    listing = cx_client.get(reverse("admin:contacts_webhooksubscription_changelist"))
    change = cx_client.get(reverse("admin:contacts_webhooksubscription_change", args=[subscription.pk]))
    attempts = cx_client.get(reverse("admin:contacts_webhookdelivery_change", args=[delivery.pk]))

    assert listing.status_code == change.status_code == attempts.status_code == 200
    assert subscription.url in listing.content.decode()
    assert secret not in change.content.decode() and subscription.secret_encrypted not in change.content.decode()
    assert "HTTP 500" in attempts.content.decode() and "boom" in attempts.content.decode()


def test_support_staff_disable_a_subscription_with_the_admin_action(cx_client, failing_subscription):
    subscription, _secret = failing_subscription

    cx_client.post(
        reverse("admin:contacts_webhooksubscription_changelist"),
        {"action": "disable_selected", "_selected_action": [subscription.pk]},
    )

    subscription.refresh_from_db()
    assert not subscription.is_active


def test_a_superuser_adds_a_subscription_through_the_service(client, django_user_model, other_org):
    client.force_login(django_user_model.objects.create_superuser("root", "root@ops.example", "x"))

    client.post(
        reverse("admin:contacts_webhooksubscription_add"),
        {"organization": other_org.pk, "url": "https://hooks.other.example/new", "events": ["run.paused"]},
    )

    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["run.paused"] and subscription.secret.startswith("whsec_")
