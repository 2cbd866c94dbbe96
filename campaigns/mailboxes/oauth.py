"""OAuth2 for mailboxes whose provider no longer accepts passwords (XOAUTH2 logins).

The mailbox holds a client id, an encrypted client secret, the token endpoint
and an encrypted refresh token. Before logging in, the worker trades the
refresh token for an access token (RFC 6749 §6: POST grant_type=refresh_token),
keeps it in memory until shortly before it expires, and stores a rotated
refresh token when the provider sends one.
"""

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from campaigns.mailboxes.base import is_loopback, scrub

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


def check_token_endpoint(url: str) -> None:
    """Refuse anything but https (or http to loopback, for tests): the URL is set by a portal user."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return
    raise OAuthError("The OAuth2 token endpoint must be an https:// URL.")


def _refresh(mailbox, refresh_token: str) -> tuple[str, int, str]:
    check_token_endpoint(mailbox.oauth_token_endpoint)
    secret = mailbox.get_oauth_client_secret()
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": mailbox.oauth_client_id}
    if secret:
        form["client_secret"] = secret
    request = urllib.request.Request(
        mailbox.oauth_token_endpoint,
        data=urllib.parse.urlencode(form).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    secrets = (secret, refresh_token)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = json.loads(response.read(65536) or b"{}")
    except urllib.error.HTTPError as exc:
        detail = _error_text(exc)
        raise OAuthError(
            scrub(f"The OAuth2 token endpoint refused the refresh token: HTTP {exc.code} {detail}", *secrets)
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise OAuthError(
            scrub(f"Cannot refresh the OAuth2 access token: {getattr(exc, 'reason', exc)}", *secrets)
        ) from None
    token = body.get("access_token") if isinstance(body, dict) else None
    if not token:
        raise OAuthError("The OAuth2 token endpoint answered without an access token.")
    return str(token), int(body.get("expires_in") or 3600), str(body.get("refresh_token") or "")


def _error_text(exc) -> str:
    try:
        body = json.loads(exc.read(4096) or b"{}")
    except (ValueError, OSError):
        return ""
    if isinstance(body, dict):
        return str(body.get("error_description") or body.get("error") or "")[:200]
    return ""
