"""Settings → Email services and the Django admin: secrets are write-only, the webhook URL is shown
to admins, and another organization's connection is a 404."""

import pytest

from campaigns.esp_models import EspConnection

pytestmark = pytest.mark.django_db


def test_admin_adds_a_mailgun_connection_and_its_secret_is_never_shown(admin_client, org):
    response = admin_client.post(
        "/settings/email-services/new/",
        {"name": "Mailgun EU", "service": "mailgun", "enabled": "on", "secret_signing_key": "key-very-secret"},
    )

    connection = EspConnection.objects.get()
    assert response.status_code == 302
    assert connection.organization == org and connection.get_secrets() == {"signing_key": "key-very-secret"}
    assert "key-very-secret" not in connection.secrets_encrypted
    page = admin_client.get(f"/settings/email-services/{connection.pk}/").content.decode()
    assert "key-very-secret" not in page
    assert f"/hooks/esp/{connection.webhook_key}/" in page and "signing_key" in page


def test_a_service_whose_webhooks_are_signed_needs_its_key(admin_client):
    response = admin_client.post("/settings/email-services/new/", {"name": "SG", "service": "sendgrid"})

    assert response.status_code == 200 and "Needed to verify SendGrid" in response.content.decode()
    assert not EspConnection.objects.exists()


def test_saving_with_an_empty_secret_keeps_the_stored_one(admin_client, org):
    connection = EspConnection(organization=org, name="MG", service="mailgun")
    connection.set_secrets(signing_key="old-key")
    connection.save()

    admin_client.post(f"/settings/email-services/{connection.pk}/", {"name": "MG renamed", "service": "mailgun"})

    connection.refresh_from_db()
    assert connection.name == "MG renamed" and connection.get_secrets() == {"signing_key": "old-key"}


def test_viewers_cannot_change_and_other_orgs_connections_are_404(viewer_client, org, other_org):
    ours = EspConnection.objects.create(organization=org, name="ours", service="postmark")
    theirs = EspConnection.objects.create(organization=other_org, name="theirs", service="postmark")

    assert viewer_client.get("/settings/email-services/").status_code == 200
    assert (
        viewer_client.post(f"/settings/email-services/{ours.pk}/", {"name": "x", "service": "postmark"}).status_code
        == 403
    )
    assert viewer_client.get(f"/settings/email-services/{theirs.pk}/").status_code == 404


def test_django_admin_lists_connections_and_raw_events(client, org):
    from django.contrib.auth.models import User

    user = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    connection = EspConnection.objects.create(organization=org, name="ses", service="amazon_ses")

    assert client.get("/admin/campaigns/espconnection/").status_code == 200
    page = client.get(f"/admin/campaigns/espconnection/{connection.pk}/change/")
    assert page.status_code == 200 and "Webhook basic auth" in page.content.decode()
    assert client.get("/admin/campaigns/espevent/").status_code == 200


def test_an_organization_with_esp_events_and_runs_through_its_connection_can_be_deleted(client, org, send):
    from bounceportal.audit import retention_path
    from campaigns.models import BounceEvent
    from campaigns.services.esp.events import TrackingEvent, ingest_esp_events
    from contacts.models import Organization

    connection = EspConnection.objects.create(organization=org, name="pm", service="postmark", sending_enabled=True)
    send.run.esp_connection = connection
    send.run.save()
    bounce = TrackingEvent(kind="bounced", event_id="1", recipient=send.email, metadata={"bp_token": send.token})
    ingest_esp_events(connection=connection, events=[bounce])
    assert BounceEvent.objects.filter(esp_event__connection=connection).exists()

    with retention_path():  # bounce events are audit rows: only the retention path deletes them
        Organization.objects.filter(pk=org.pk).delete()

    assert not EspConnection.objects.exists() and not BounceEvent.objects.exists()
