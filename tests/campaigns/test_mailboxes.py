"""IMAP and POP3 bounce mailboxes against a real Dovecot, XOAUTH2 included."""

import logging
import time

import pytest
from imapclient import IMAPClient

from bounceportal import egress
from campaigns import bounce_generator as gen
from campaigns.mailboxes import MailboxError, check_connection
from campaigns.models import BounceEvent, InboundMessage
from campaigns.services.ingestion import poll_mailbox_once
from tests.campaigns.conftest import imap_mailbox, original_of
from tests.dovecot import free_port
from tests.factories import BounceMailboxFactory, SendFactory

pytestmark = [pytest.mark.django_db, pytest.mark.dovecot]


def imap(dovecot, account) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False, timeout=10)
    client.login(account.username, account.password)
    return client


def append(dovecot, account, *messages: bytes) -> None:
    with imap(dovecot, account) as client:
        for raw in messages:
            client.append("INBOX", raw)


def folder_messages(dovecot, account, folder="INBOX") -> dict[int, tuple]:
    """uid -> flags of the folder's messages."""
    with imap(dovecot, account) as client:
        if not client.folder_exists(folder):
            return {}
        client.select_folder(folder, readonly=True)
        return {uid: data[b"FLAGS"] for uid, data in client.fetch(client.search(["ALL"]), ["FLAGS"]).items()}


def test_imap_bounce_is_applied_and_moved_while_a_human_reply_stays_unread(org, dovecot, imap_account, send):
    append(dovecot, imap_account, gen.postfix_dsn(original_of(send)), gen.human_reply(original_of(send)))
    mailbox = imap_mailbox(org, dovecot, imap_account)

    result = poll_mailbox_once(mailbox=mailbox)

    send.learner.refresh_from_db()
    inbox = folder_messages(dovecot, imap_account)
    assert (result.fetched, result.stored, result.events, result.marked) == (2, 2, 1, 1)
    assert send.learner.status == "bounced"
    assert len(inbox) == 1 and b"\\Seen" not in next(iter(inbox.values()))
    assert len(folder_messages(dovecot, imap_account, "Processed")) == 1
    assert InboundMessage.objects.filter(kind="not_bounce").count() == 1


def test_imap_batch_is_fetched_in_pieces_that_fit_the_byte_cap(org, dovecot, imap_account, send, settings, batch_sizes):
    bounces = [gen.postfix_dsn(original_of(SendFactory(run=send.run))) for _ in range(3)]
    append(dovecot, imap_account, *bounces)
    settings.INBOUND_BATCH_MAX_BYTES = len(bounces[0]) * 3 // 2  # the second message takes a piece past it

    result = poll_mailbox_once(mailbox=imap_mailbox(org, dovecot, imap_account))

    assert batch_sizes == [2, 1]
    assert (result.fetched, result.stored, result.marked) == (3, 3, 3)
    assert folder_messages(dovecot, imap_account) == {}


def test_imap_flag_action_marks_processed_bounces_seen_and_skips_them_next_time(org, dovecot, imap_account, send):
    append(dovecot, imap_account, gen.exim_text(original_of(send)))
    mailbox = imap_mailbox(org, dovecot, imap_account, processed_action="flag")

    poll_mailbox_once(mailbox=mailbox)
    again = poll_mailbox_once(mailbox=mailbox)

    inbox = folder_messages(dovecot, imap_account)
    assert [b"\\Seen" in flags for flags in inbox.values()] == [True]
    assert again.fetched == 0 and BounceEvent.objects.count() == 1


def test_imap_wrong_password_is_recorded_without_the_password(org, dovecot, imap_account, caplog):
    mailbox = imap_mailbox(org, dovecot, imap_account)
    mailbox.set_password("wrong-password-123")
    mailbox.save()
    caplog.set_level(logging.DEBUG)

    with pytest.raises(MailboxError, match="Login failed"):
        poll_mailbox_once(mailbox=mailbox)

    mailbox.refresh_from_db()
    assert "Login failed" in mailbox.last_error and mailbox.consecutive_failures == 1
    assert "wrong-password-123" not in mailbox.last_error and "wrong-password-123" not in caplog.text


def test_unreachable_host_is_a_clear_error(org):
    mailbox = BounceMailboxFactory(
        organization=org, protocol="imap", host="127.0.0.1", port=free_port(), security="none", username="x"
    )

    ok, message = check_connection(mailbox)

    assert not ok and "Cannot connect to 127.0.0.1" in message


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_a_host_name_that_cannot_be_encoded_is_a_clear_error(org, protocol):
    mailbox = BounceMailboxFactory(
        organization=org, protocol=protocol, host="a" * 64 + ".example", security="tls", username="x"
    )

    ok, message = check_connection(mailbox)

    assert not ok and message == egress.REFUSED_TEXT


def test_plain_text_logins_are_refused_off_loopback(org):
    mailbox = BounceMailboxFactory(organization=org, protocol="imap", host="mail.example.com", security="none")

    ok, message = check_connection(mailbox)

    assert not ok and "only allowed to this machine" in message


def test_check_connection_reports_waiting_messages(org, dovecot, imap_account, send):
    append(dovecot, imap_account, gen.postfix_dsn(original_of(send)))

    ok, message = check_connection(imap_mailbox(org, dovecot, imap_account))

    assert ok and "1 message waiting in INBOX" in message


def pop3_mailbox(org, dovecot, account, **kwargs):
    mailbox = BounceMailboxFactory(
        organization=org,
        protocol="pop3",
        host="127.0.0.1",
        port=dovecot.pop3_port,
        security="none",
        username=account.username,
        **kwargs,
    )
    mailbox.set_password(account.password)
    mailbox.save()
    return mailbox


def test_pop3_deletes_processed_bounces_after_commit_and_keeps_human_replies(org, dovecot, imap_account, send):
    other = SendFactory(run=send.run, learner__organization=org)
    append(
        dovecot,
        imap_account,
        gen.postfix_dsn(original_of(send)),
        gen.auto_reply(original_of(other)),
        gen.human_reply(original_of(send)),
    )
    mailbox = pop3_mailbox(org, dovecot, imap_account, processed_action="delete")

    result = poll_mailbox_once(mailbox=mailbox)

    send.learner.refresh_from_db()
    assert (result.fetched, result.stored, result.marked) == (3, 3, 2)
    assert send.learner.status == "bounced"
    assert len(folder_messages(dovecot, imap_account)) == 1


def test_pop3_leave_keeps_everything_and_the_next_poll_stores_nothing_new(org, dovecot, imap_account, send):
    append(dovecot, imap_account, gen.postfix_dsn(original_of(send)))
    mailbox = pop3_mailbox(org, dovecot, imap_account, processed_action="leave")

    poll_mailbox_once(mailbox=mailbox)
    again = poll_mailbox_once(mailbox=mailbox)

    assert (again.fetched, again.stored, again.duplicates) == (1, 0, 1)
    assert len(folder_messages(dovecot, imap_account)) == 1 and BounceEvent.objects.count() == 1


def oauth_mailbox(org, dovecot, account, refresh_token):
    mailbox = imap_mailbox(
        org, dovecot, account, oauth_client_id="bounceportal", oauth_token_endpoint=dovecot.oauth.token_url
    )
    mailbox.password_encrypted = ""
    mailbox.set_oauth_secrets(client_secret="client-secret-xyz", refresh_token=refresh_token)
    mailbox.save()
    return mailbox


def test_xoauth2_login_with_a_refreshed_access_token(org, dovecot, imap_account, send):
    refresh = f"refresh-{time.monotonic_ns()}"
    dovecot.oauth.refresh_tokens[refresh] = imap_account.username
    append(dovecot, imap_account, gen.postfix_dsn(original_of(send)))
    mailbox = oauth_mailbox(org, dovecot, imap_account, refresh)

    result = poll_mailbox_once(mailbox=mailbox)

    grant = next(r for r in dovecot.oauth.requests if r.get("refresh_token") == refresh)
    assert grant["grant_type"] == "refresh_token" and grant["client_id"] == "bounceportal"
    assert grant["client_secret"] == "client-secret-xyz"
    assert result.events == 1 and send.learner.bounce_events.count() == 1


def test_xoauth2_with_a_revoked_refresh_token_is_a_clear_error(org, dovecot, imap_account):
    mailbox = oauth_mailbox(org, dovecot, imap_account, "revoked-refresh-token")

    ok, message = check_connection(mailbox)

    assert not ok and "refused the refresh token" in message and "Bad refresh token" in message
    assert "revoked-refresh-token" not in message


def test_xoauth2_access_token_the_server_rejects_fails_the_login(org, dovecot, imap_account, monkeypatch):
    refresh = f"refresh-{time.monotonic_ns()}"
    dovecot.oauth.refresh_tokens[refresh] = imap_account.username
    mailbox = oauth_mailbox(org, dovecot, imap_account, refresh)
    monkeypatch.setattr(dovecot.oauth, "introspection_rejects_all", True)

    ok, message = check_connection(mailbox)

    assert not ok and "Login failed" in message


@pytest.mark.parametrize(
    "protocol,security,port_name",
    [
        ("imap", "tls", "imaps_port"),
        ("imap", "starttls", "imap_port"),
        ("pop3", "tls", "pop3s_port"),
        ("pop3", "starttls", "pop3_port"),
    ],
)
def test_tls_and_starttls_connections_verify_the_server_certificate(
    org, dovecot, imap_account, send, monkeypatch, protocol, security, port_name
):
    append(dovecot, imap_account, gen.postfix_dsn(original_of(send)))
    mailbox = BounceMailboxFactory(
        organization=org,
        protocol=protocol,
        host="127.0.0.1",
        port=getattr(dovecot, port_name),
        security=security,
        username=imap_account.username,
        folder="INBOX",
        processed_action="move" if protocol == "imap" else "delete",
    )
    mailbox.set_password(imap_account.password)
    mailbox.save()

    untrusted_ok, untrusted_message = check_connection(mailbox)
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.ca_file))
    result = poll_mailbox_once(mailbox=mailbox)

    assert not untrusted_ok and "certificate verify failed" in untrusted_message.lower()
    assert result.events == 1 and result.marked == 1
