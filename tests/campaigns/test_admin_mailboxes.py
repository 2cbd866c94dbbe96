"""Bounce mailboxes in the admin: secrets write-only, poll status shown."""

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import BounceMailbox, MailboxChange
from tests.factories import BounceMailboxFactory, OrganizationFactory, UserFactory

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


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


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


def test_a_port_outside_1_to_65535_is_refused(superuser_client, mailbox):
    response = superuser_client.post(change_url(mailbox), form_data(mailbox, port=70000))

    mailbox.refresh_from_db()
    assert response.status_code == 200 and "port" in response.context["adminform"].form.errors
    assert mailbox.port is None


REPOINTING = {"host": "imap.elsewhere.example", "port": 143, "protocol": "pop3", "folder": "Other"}


def test_support_cannot_repoint_a_mailbox_but_can_fix_its_secrets(cx_client, mailbox, other_org):
    where = (mailbox.organization_id, mailbox.protocol, mailbox.host, mailbox.port, mailbox.folder)
    page = cx_client.get(change_url(mailbox)).content.decode()

    response = cx_client.post(
        change_url(mailbox),
        form_data(mailbox, organization=other_org.pk, password="fixed-pass", username="bounces2", **REPOINTING),
    )

    mailbox.refresh_from_db()
    assert response.status_code == 302
    assert 'name="host"' not in page and 'name="organization"' not in page and 'name="folder"' not in page
    assert (mailbox.organization_id, mailbox.protocol, mailbox.host, mailbox.port, mailbox.folder) == where
    assert mailbox.organization.name == "Acme Training" and where[2] == "imap.school.example"
    assert mailbox.get_password() == "fixed-pass" and mailbox.username == "bounces2"


def test_support_cannot_repoint_a_local_maildir_at_another_customers_folder(cx_client, org, tmp_path):
    maildir = BounceMailboxFactory(organization=org, protocol="maildir", folder=str(tmp_path / "acme"))
    data = form_data(maildir, protocol="maildir", folder=str(tmp_path / "other-customer"), host="")

    cx_client.post(change_url(maildir), data)

    maildir.refresh_from_db()
    assert maildir.folder == str(tmp_path / "acme")


def test_support_cannot_add_a_mailbox_even_with_the_add_permission(cx_client, cx_user):
    from django.contrib.auth.models import Permission

    cx_user.user_permissions.add(Permission.objects.get(codename="add_bouncemailbox"))

    assert cx_client.get(reverse("admin:campaigns_bouncemailbox_add")).status_code == 403


@pytest.mark.parametrize("operator", ["superuser", "configure permission"])
def test_operators_repoint_mailboxes(client, mailbox, operator):
    from django.contrib.auth.models import Permission

    user = UserFactory(username="ops", is_staff=True, is_superuser=operator == "superuser")
    if operator != "superuser":
        user.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["view_bouncemailbox", "change_bouncemailbox", "configure_bouncemailbox"]
            )
        )
    client.force_login(user)
    elsewhere = OrganizationFactory(name="Elsewhere")

    response = client.post(change_url(mailbox), form_data(mailbox, organization=elsewhere.pk, **REPOINTING))

    mailbox.refresh_from_db()
    assert response.status_code == 302
    assert (mailbox.organization_id, mailbox.host, mailbox.port, mailbox.folder) == (
        elsewhere.pk,
        "imap.elsewhere.example",
        143,
        "Other",
    )


def test_every_admin_change_is_audited_without_secret_values(cx_client, cx_user, mailbox):
    cx_client.post(change_url(mailbox), form_data(mailbox, username="bounces2", password="n3w-pass-123"))
    cx_client.post(change_url(mailbox), form_data(mailbox, username="bounces2"))  # nothing changed

    change = MailboxChange.objects.get(mailbox=mailbox)
    page = cx_client.get(change_url(mailbox)).content.decode()

    assert (change.changed_by, change.via, change.created) == (cx_user, "admin", False)
    assert change.fields == ["username", "password"]
    assert "n3w-pass-123" not in str(list(MailboxChange.objects.values()))
    assert "username, password" in page
