"""Mailbox connections and OAuth2 token requests go through the egress guard at connect time
(issue #13, finding 3): what the form accepted, or what an operator set, is checked again then."""

import pytest

from bounceportal import egress
from campaigns.mailboxes import check_connection
from campaigns.mailboxes.oauth import OAuthError, access_token_for, forget_access_token
from tests.campaigns.conftest import imap_mailbox
from tests.factories import BounceMailboxFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost.", "[::1]", "::ffff:127.0.0.1", "64:ff9b::7f00:1"])
def test_in_production_a_saved_loopback_host_is_refused_when_connecting(org, settings, tcp_listener, protocol, host):
    settings.EGRESS_ALLOWED_NETWORKS = []
    port, accepted = tcp_listener
    mailbox = BounceMailboxFactory(organization=org, protocol=protocol, host=host, port=port, security="tls")

    ok, message = check_connection(mailbox)

    assert (ok, message) == (False, egress.REFUSED_TEXT)
    assert accepted == []


def test_a_name_that_does_not_resolve_is_refused_with_the_same_text(org):
    mailbox = BounceMailboxFactory(organization=org, protocol="imap", host="imap.nowhere.invalid", security="tls")

    assert check_connection(mailbox) == (False, egress.REFUSED_TEXT)


def _oauth_mailbox(org, endpoint):
    mailbox = BounceMailboxFactory(
        organization=org, protocol="imap", host="127.0.0.1", oauth_client_id="c", oauth_token_endpoint=endpoint
    )
    mailbox.set_oauth_secrets(client_secret="client-secret-xyz", refresh_token="refresh-abc")
    mailbox.save()
    forget_access_token(mailbox.pk)
    return mailbox


@pytest.mark.dovecot
def test_in_production_the_refresh_token_is_never_posted_to_a_loopback_token_endpoint(org, settings, dovecot):
    settings.EGRESS_ALLOWED_NETWORKS = []
    dovecot.oauth.refresh_tokens["refresh-abc"] = "bounces"
    before = len(dovecot.oauth.requests)
    texts = set()

    for endpoint in (
        dovecot.oauth.token_url,
        dovecot.oauth.token_url.replace("http://", "https://"),
        f"https://[::1]:{dovecot.oauth.port}/token",
        f"https://localhost.:{dovecot.oauth.port}/token",
    ):
        with pytest.raises(OAuthError) as refused:
            access_token_for(_oauth_mailbox(org, endpoint))
        texts.add(str(refused.value))

    assert texts == {egress.REFUSED_TEXT}
    assert len(dovecot.oauth.requests) == before


@pytest.mark.dovecot
def test_with_the_loopback_allowance_the_token_endpoint_is_reached_through_the_guard(org, dovecot, imap_account):
    dovecot.oauth.refresh_tokens["refresh-abc"] = imap_account.username
    mailbox = imap_mailbox(
        org, dovecot, imap_account, oauth_client_id="c", oauth_token_endpoint=dovecot.oauth.token_url
    )
    mailbox.set_oauth_secrets(client_secret="s", refresh_token="refresh-abc")
    mailbox.save()
    forget_access_token(mailbox.pk)

    token = access_token_for(mailbox)

    assert token.startswith("access-") and dovecot.oauth.requests[-1]["refresh_token"] == "refresh-abc"
