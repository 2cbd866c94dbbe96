"""Bounce mailboxes in the admin: secrets write-only, poll status shown."""

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import BounceMailbox
from tests.factories import BounceMailboxFactory

pytestmark = pytest.mark.django_db


def form_data(mailbox, **changes):
    data = {
        "organization": mailbox.organization_id,
        "name": mailbox.name,
        "protocol": "imap",
        "enabled": "on",
        "poll_interval_seconds": 300,
        "host": "imap.school.example",
        "port": 993,
        "security": "tls",
        "username": "bounces",
        "password": "",
        "folder": "INBOX",
        "processed_action": "move",
        "processed_folder": "Processed",
        "oauth_client_id": "",
        "oauth_client_secret": "",
        "oauth_token_endpoint": "",
        "oauth_refresh_token": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def mailbox(org):
    mailbox = BounceMailboxFactory(
        organization=org,
        protocol="imap",
        host="imap.school.example",
        username="bounces",
        last_polled_at=timezone.now(),
        last_error="LOGIN failed: <b>bad</b> credentials",
        consecutive_failures=3,
    )
    mailbox.set_password("s3cret-old")
    mailbox.set_oauth_secrets(client_secret="client-old", refresh_token="refresh-old")
    mailbox.save()
    return mailbox


def change_url(mailbox):
    return reverse("admin:campaigns_bouncemailbox_change", args=[mailbox.pk])


def test_password_and_oauth_secrets_are_never_shown(cx_client, mailbox):
    page = cx_client.get(change_url(mailbox)).content.decode()

    assert 'name="password"' in page and 'name="oauth_refresh_token"' in page
    for secret in ("s3cret-old", "client-old", "refresh-old", mailbox.password_encrypted):
        assert secret not in page
    assert "password, OAuth client secret, OAuth refresh token" in page


def test_empty_secret_fields_keep_the_stored_ones(cx_client, mailbox):
    response = cx_client.post(change_url(mailbox), form_data(mailbox, username="renamed"))

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.username == "renamed"
    assert mailbox.get_password() == "s3cret-old"
    assert mailbox.get_oauth_client_secret() == "client-old"
    assert mailbox.get_oauth_refresh_token() == "refresh-old"


def test_a_new_password_is_stored_encrypted(cx_client, mailbox):
    cx_client.post(change_url(mailbox), form_data(mailbox, password="n3w-pass", oauth_refresh_token="refresh-new"))

    mailbox.refresh_from_db()
    assert mailbox.get_password() == "n3w-pass"
    assert "n3w-pass" not in mailbox.password_encrypted
    assert mailbox.get_oauth_refresh_token() == "refresh-new"
    assert mailbox.get_oauth_client_secret() == "client-old"


def test_list_shows_last_poll_and_escaped_last_error(cx_client, mailbox):
    page = cx_client.get(reverse("admin:campaigns_bouncemailbox_changelist")).content.decode()

    assert "LOGIN failed: &lt;b&gt;bad&lt;/b&gt; credentials" in page
    assert "<b>bad</b>" not in page


def test_support_cannot_add_or_delete_mailboxes(cx_client, mailbox):
    add = cx_client.get(reverse("admin:campaigns_bouncemailbox_add"))
    delete = cx_client.post(reverse("admin:campaigns_bouncemailbox_delete", args=[mailbox.pk]), {"post": "yes"})

    assert add.status_code == 403 and delete.status_code == 403
    assert BounceMailbox.objects.filter(pk=mailbox.pk).exists()


def test_a_port_outside_1_to_65535_is_refused(cx_client, mailbox):
    response = cx_client.post(change_url(mailbox), form_data(mailbox, port=70000))

    mailbox.refresh_from_db()
    assert response.status_code == 200 and "port" in response.context["adminform"].form.errors
    assert mailbox.port is None
