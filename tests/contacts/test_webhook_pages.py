"""Settings → Webhooks: admins subscribe (the secret shown once), see deliveries, rotate, test, disable, remove."""

import pytest
from django.urls import reverse

from contacts.webhook_models import WebhookAttempt, WebhookSubscription
from contacts.webhooks.subscriptions import create_subscription

pytestmark = pytest.mark.django_db


def test_an_admin_subscribes_a_url_and_sees_the_secret_only_once(admin_client, org, receiver):
    response = admin_client.post(
        reverse("contacts:webhook-list"),
        {"url": receiver.url, "description": "HR system", "events": ["learner.suppressed", "run.finished"]},
    )

    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 200
    assert subscription.organization == org and subscription.events == ["learner.suppressed", "run.finished"]
    assert subscription.secret in response.content.decode()
    assert subscription.secret not in admin_client.get(reverse("contacts:webhook-list")).content.decode()
    detail = admin_client.get(reverse("contacts:webhook-detail", args=[subscription.pk])).content.decode()
    assert subscription.secret not in detail and subscription.secret_hint in detail


def test_a_plain_http_url_outside_the_allowed_networks_and_no_event_are_refused(admin_client, settings):
    settings.EGRESS_ALLOWED_NETWORKS = []

    response = admin_client.post(reverse("contacts:webhook-list"), {"url": "http://127.0.0.1:9/x", "events": []})

    errors = response.context["form"].errors
    assert "url" in errors and "events" in errors
    assert not WebhookSubscription.objects.exists()


def test_a_viewer_may_not_see_or_change_webhooks(viewer_client, org):
    create_subscription(organization=org, url="https://hooks.acme.example/in", events=["run.paused"])

    assert viewer_client.get(reverse("contacts:webhook-list")).status_code == 403
    response = viewer_client.post(
        reverse("contacts:webhook-list"), {"url": "https://x.example", "events": ["run.paused"]}
    )
    assert response.status_code == 403
    assert WebhookSubscription.objects.count() == 1


def test_a_test_event_is_posted_and_its_attempt_shown(admin_client, org, receiver, django_capture_on_commit_callbacks):
    subscription, _ = create_subscription(organization=org, url=receiver.url, events=["run.paused"])

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("contacts:webhook-test", args=[subscription.pk]))

    assert [r.headers["X-BouncePortal-Event"] for r in receiver.requests] == ["webhook.test"]
    assert WebhookAttempt.objects.get().status_code == 200
    page = admin_client.get(reverse("contacts:webhook-detail", args=[subscription.pk])).content.decode()
    assert "webhook.test" in page and "HTTP 200" in page


def test_rotating_shows_a_new_secret_and_the_old_one_stops_signing(admin_client, org):
    subscription, old = create_subscription(
        organization=org, url="https://hooks.acme.example/in", events=["run.paused"]
    )

    response = admin_client.post(reverse("contacts:webhook-rotate", args=[subscription.pk]))

    subscription.refresh_from_db()
    assert subscription.secret != old and subscription.secret in response.content.decode()


def test_disable_enable_edit_and_remove(admin_client, org):
    subscription, _ = create_subscription(organization=org, url="https://hooks.acme.example/in", events=["run.paused"])
    detail = reverse("contacts:webhook-detail", args=[subscription.pk])

    admin_client.post(reverse("contacts:webhook-disable", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_reason == "Disabled by alice."
    admin_client.post(reverse("contacts:webhook-enable", args=[subscription.pk]))
    admin_client.post(detail, {"url": "https://hooks.acme.example/v2", "events": ["run.finished"]})
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.url.endswith("/v2") and subscription.events == ["run.finished"]
    admin_client.post(reverse("contacts:webhook-delete", args=[subscription.pk]))
    assert not WebhookSubscription.objects.exists()
