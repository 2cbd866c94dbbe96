"""OAuth2 for mailboxes whose provider no longer accepts passwords (XOAUTH2 logins).

The mailbox holds a client id, an encrypted client secret, the token endpoint
and an encrypted refresh token. Before logging in, the worker trades the
refresh token for an access token (RFC 6749 §6: POST grant_type=refresh_token),
keeps it in memory until shortly before it expires, and stores a rotated
refresh token when the provider sends one.
"""

import http.client
import json
import ssl
import threading
import time
import urllib.parse

from bounceportal import egress
from campaigns.mailboxes.base import scrub

TIMEOUT_SECONDS = 20
EXPIRY_MARGIN_SECONDS = 60

_cache: dict[int, tuple[str, float, str]] = {}  # mailbox id -> (token, expires at, refresh token used)
_lock = threading.Lock()


class OAuthError(Exception):
    """The token endpoint refused or could not be reached; the text is safe to show."""


def access_token_for(mailbox) -> str:
    """Return a current access token for the mailbox, refreshing it when needed."""
    refresh_token = mailbox.get_oauth_refresh_token()
    with _lock:
        cached = _cache.get(mailbox.pk)
    if cached and cached[2] == refresh_token and cached[1] > time.monotonic():
        return cached[0]
    token, expires_in, new_refresh = _refresh(mailbox, refresh_token)
    if new_refresh and new_refresh != refresh_token:
        mailbox.set_oauth_secrets(refresh_token=new_refresh)
        type(mailbox).objects.filter(pk=mailbox.pk).update(
            oauth_refresh_token_encrypted=mailbox.oauth_refresh_token_encrypted
        )
        refresh_token = new_refresh
    with _lock:
        _cache[mailbox.pk] = (token, time.monotonic() + max(expires_in - EXPIRY_MARGIN_SECONDS, 0), refresh_token)
    return token


def forget_access_token(mailbox_id: int) -> None:
    with _lock:
        _cache.pop(mailbox_id, None)


HTTPS_REQUIRED = "The OAuth2 token endpoint must be an https:// URL."


def check_token_endpoint(url: str) -> None:
    """What the form can refuse before any request (the URL is set by a portal user): anything but
    https (http only to a network the operator allows, as the tests' local provider is), and a
    host that resolves now to an address the egress guard refuses. The request checks again."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise OAuthError(HTTPS_REQUIRED) from None
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise OAuthError(HTTPS_REQUIRED)
    if egress.refused_now(parts.hostname, port):
        raise OAuthError(egress.REFUSED_TEXT)
    if parts.scheme == "http":
        try:
            allowed = egress.plain_http_allowed(egress.resolve_public(parts.hostname, port))
        except egress.EgressRefused:
            allowed = False
        if not allowed:
            raise OAuthError(HTTPS_REQUIRED)


def _refresh(mailbox, refresh_token: str) -> tuple[str, int, str]:
    secret = mailbox.get_oauth_client_secret()
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": mailbox.oauth_client_id}
    if secret:
        form["client_secret"] = secret
    secrets = (secret, refresh_token)
    try:
        # The guard resolves and checks the host now and connects to the checked address (https only
        # in production); its refusal has one text whatever the target, so no port can be told apart.
        response = egress.http_request(
            mailbox.oauth_token_endpoint,
            body=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            timeout=TIMEOUT_SECONDS,
        )
    except egress.EgressRefused as exc:
        raise OAuthError(str(exc)) from None
    except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
        raise OAuthError(scrub(f"Cannot refresh the OAuth2 access token: {exc}", *secrets)) from None
    if not 200 <= response.status < 300:
        detail = _error_text(response.body)
        raise OAuthError(
            scrub(f"The OAuth2 token endpoint refused the refresh token: HTTP {response.status} {detail}", *secrets)
        )
    try:
        body = json.loads(response.body or b"{}")
    except ValueError:
        body = None
    token = body.get("access_token") if isinstance(body, dict) else None
    if not token:
        raise OAuthError("The OAuth2 token endpoint answered without an access token.")
    return str(token), int(body.get("expires_in") or 3600), str(body.get("refresh_token") or "")


def _error_text(raw: bytes) -> str:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return ""
    if isinstance(body, dict):
        return str(body.get("error_description") or body.get("error") or "")[:200]
    return ""
