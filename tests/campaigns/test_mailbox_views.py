"""Settings → Bounce mailboxes in the portal: list, create, edit with write-only secrets, test connection."""

import pytest
from django.urls import reverse

from bounceportal import egress
from campaigns.models import BounceMailbox, MailboxChange
from tests.campaigns.conftest import imap_mailbox
from tests.factories import BounceMailboxFactory, InboundMessageFactory

pytestmark = pytest.mark.django_db


def imap_form(**overrides):
    data = {
        "name": "Bounces",
        "protocol": "imap",
        "host": "imap.example.com",
        "port": "993",
        "security": "tls",
        "username": "bounces@example.com",
        "password": "s3cret-pass",
        "folder": "INBOX",
        "processed_action": "move",
        "processed_folder": "Processed",
        "poll_interval_seconds": "300",
        "enabled": "on",
        "oauth_client_id": "",
        "oauth_token_endpoint": "",
        "oauth_client_secret": "",
        "oauth_refresh_token": "",
    }
    data.update(overrides)
    return data


def test_admin_creates_an_imap_mailbox_with_an_encrypted_password(admin_client, org):
    page = admin_client.get(reverse("campaigns:mailbox-create")).content.decode()
    response = admin_client.post(reverse("campaigns:mailbox-create"), imap_form())

    mailbox = BounceMailbox.objects.get(organization=org)
    assert '<input type="password" name="password"' in page and "Test connection" not in page
    assert response.status_code == 302 and response.url == reverse("campaigns:mailbox-edit", args=[mailbox.pk])
    assert mailbox.get_password() == "s3cret-pass" and "s3cret-pass" not in mailbox.password_encrypted


def test_the_password_is_never_rendered_and_empty_keeps_it(admin_client, org):
    admin_client.post(reverse("campaigns:mailbox-create"), imap_form())
    mailbox = BounceMailbox.objects.get(organization=org)
    url = reverse("campaigns:mailbox-edit", args=[mailbox.pk])

    page = admin_client.get(url).content.decode()
    admin_client.post(url, imap_form(password="", name="Renamed"))

    mailbox.refresh_from_db()
    assert "s3cret-pass" not in page and mailbox.password_encrypted not in page
    assert "A value is stored. Leave empty to keep it." in page
    assert mailbox.name == "Renamed" and mailbox.get_password() == "s3cret-pass"


def test_a_new_password_replaces_the_old_one(admin_client, org):
    mailbox = BounceMailboxFactory(organization=org, protocol="imap", host="imap.example.com", folder="INBOX")
    mailbox.set_password("old")
    mailbox.save()

    admin_client.post(reverse("campaigns:mailbox-edit", args=[mailbox.pk]), imap_form(password="brand-new"))

    mailbox.refresh_from_db()
    assert mailbox.get_password() == "brand-new"


def test_plain_text_to_a_remote_host_and_pop3_folders_are_refused(admin_client, org):
    response = admin_client.post(
        reverse("campaigns:mailbox-create"), imap_form(security="none", protocol="pop3", processed_action="move")
    )

    form = response.context["form"]
    assert response.status_code == 200 and not BounceMailbox.objects.exists()
    assert "only allowed for this machine" in str(form.errors["security"])
    assert "choose delete or leave" in str(form.errors["processed_action"])


@pytest.mark.parametrize("port", ["70000", "0"])
def test_a_port_outside_1_to_65535_is_refused(admin_client, org, port):
    response = admin_client.post(reverse("campaigns:mailbox-create"), imap_form(port=port))

    assert response.status_code == 200 and not BounceMailbox.objects.exists()
    assert "port" in response.context["form"].errors


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.0.0.1.",
        "localhost",
        "localhost.",
        "10.1.2.3",
        "169.254.169.254",
        "[::1]",
        "::127.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
    ],
)
def test_in_production_a_host_on_a_private_network_is_refused(admin_client, org, settings, host):
    settings.EGRESS_ALLOWED_NETWORKS = []

    response = admin_client.post(reverse("campaigns:mailbox-create"), imap_form(host=host))

    assert response.status_code == 200 and not BounceMailbox.objects.exists()
    assert response.context["form"].errors["host"] == [egress.REFUSED_TEXT]


@pytest.mark.parametrize(
    "endpoint", ["http://127.0.0.1:6379/", "https://10.0.0.1/token", "https://169.254.169.254/latest/meta-data/"]
)
def test_in_production_an_internal_token_endpoint_is_refused(admin_client, settings, endpoint):
    settings.EGRESS_ALLOWED_NETWORKS = []

    response = admin_client.post(
        reverse("campaigns:mailbox-create"),
        imap_form(password="", oauth_token_endpoint=endpoint, oauth_refresh_token="r"),
    )

    assert response.status_code == 200 and not BounceMailbox.objects.exists()
    assert response.context["form"].errors["oauth_token_endpoint"] == [egress.REFUSED_TEXT]


def test_a_password_or_oauth_is_required_on_create(admin_client):
    response = admin_client.post(reverse("campaigns:mailbox-create"), imap_form(password=""))

    assert "Enter the mailbox password" in str(response.context["form"].errors["password"])


def test_oauth_token_endpoint_must_be_https(admin_client):
    response = admin_client.post(
        reverse("campaigns:mailbox-create"),
        imap_form(password="", oauth_token_endpoint="http://token.example.com/token", oauth_refresh_token="r"),
    )

    assert "must be an https://" in str(response.context["form"].errors["oauth_token_endpoint"])


def test_list_and_page_show_last_poll_counts_and_error(admin_client, org):
    mailbox = BounceMailboxFactory(
        organization=org,
        protocol="imap",
        host="imap.example.com",
        messages_fetched=12,
        messages_processed=11,
        last_error="Login failed for bounces: [AUTHENTICATIONFAILED]",
        consecutive_failures=3,
    )
    InboundMessageFactory(
        organization=org, mailbox=mailbox, kind="not_bounce", is_bounce=False, subject="Re: which room?"
    )
    InboundMessageFactory(organization=org, mailbox=mailbox, matched_by="address", subject="Forged maybe")
    InboundMessageFactory(organization=org, mailbox=mailbox, matched_by="verp", subject="Verified bounce")

    listing = admin_client.get(reverse("campaigns:mailbox-list")).content.decode()
    page = admin_client.get(reverse("campaigns:mailbox-edit", args=[mailbox.pk])).content.decode()

    assert mailbox.name in listing and "Failing" in listing and "AUTHENTICATIONFAILED" in listing
    assert "12" in page and "3 failed polls in a row" in page and "Re: which room?" in page
    assert "Forged maybe" in page and "Recipient address (unverified)" in page and "Verified bounce" not in page


def test_viewers_see_mailboxes_but_may_not_change_or_test_them(viewer_client, org):
    mailbox = BounceMailboxFactory(organization=org, protocol="imap", host="imap.example.com")

    assert viewer_client.get(reverse("campaigns:mailbox-list")).status_code == 200
    assert viewer_client.get(reverse("campaigns:mailbox-edit", args=[mailbox.pk])).status_code == 200
    assert viewer_client.get(reverse("campaigns:mailbox-create")).status_code == 403
    assert viewer_client.post(reverse("campaigns:mailbox-create"), imap_form()).status_code == 403
    assert viewer_client.post(reverse("campaigns:mailbox-edit", args=[mailbox.pk]), imap_form()).status_code == 403
    assert viewer_client.post(reverse("campaigns:mailbox-test", args=[mailbox.pk])).status_code == 403


def test_maildir_mailboxes_are_shown_but_not_editable_in_the_portal(admin_client, org):
    mailbox = BounceMailboxFactory(organization=org, protocol="maildir", folder="/var/mail/bounces")

    page = admin_client.get(reverse("campaigns:mailbox-edit", args=[mailbox.pk])).content.decode()
    response = admin_client.post(reverse("campaigns:mailbox-edit", args=[mailbox.pk]), imap_form())

    assert "set up by your operator" in page and response.status_code == 403


@pytest.mark.dovecot
def test_test_connection_button_shows_success_and_failure(admin_client, org, dovecot, imap_account):
    mailbox = imap_mailbox(org, dovecot, imap_account)
    url = reverse("campaigns:mailbox-test", args=[mailbox.pk])

    good = admin_client.post(url, follow=True).content.decode()
    mailbox.set_password("wrong")
    mailbox.save()
    bad = admin_client.post(url, follow=True).content.decode()

    assert "Test connection: Connected. 0 messages waiting in INBOX." in good
    assert "Test connection: Login failed" in bad and "message-error" in bad


def test_portal_creation_and_changes_are_audited_without_secret_values(admin_client, admin_member, org):
    admin_client.post(reverse("campaigns:mailbox-create"), imap_form(password="first-pass-1"))
    mailbox = BounceMailbox.objects.get()
    admin_client.post(
        reverse("campaigns:mailbox-edit", args=[mailbox.pk]),
        imap_form(host="imap2.example.com", folder="Bounces", password="second-pass-2"),
    )

    changed, created = MailboxChange.objects.filter(mailbox=mailbox)

    assert (created.created, created.via, created.changed_by) == (True, "portal", admin_member.user)
    assert "host" in created.fields and "password" in created.fields
    assert (changed.created, changed.fields) == (False, ["host", "folder", "password"])
    assert "first-pass-1" not in str(list(MailboxChange.objects.values()))
    assert "second-pass-2" not in str(list(MailboxChange.objects.values()))
