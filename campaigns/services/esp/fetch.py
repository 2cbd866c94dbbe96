"""The ESP code's outbound HTTP GET (SNS certificates, SNS subscription confirmations), through the one
egress guard (``bounceportal.egress``): public addresses only, resolved and checked at connect time,
no redirects followed, TLS verified, the answer capped in size.

Callers check the URL first (``sns.check_sns_url``: Amazon SNS hosts only, or the tests' loopback
host in test settings, which the guard's EGRESS_ALLOWED_NETWORKS lets through there).
"""

from __future__ import annotations

import http.client
import ssl

from bounceportal.egress import MAX_RESPONSE_BYTES, EgressRefused, http_request

TIMEOUT_SECONDS = 10


class FetchError(Exception):
    """The URL could not be fetched (refused by the guard, redirected, too large, not 200)."""


def fetch_bytes(url: str, *, max_bytes: int = MAX_RESPONSE_BYTES) -> bytes:
    """GET ``url`` and return its body (at most ``max_bytes``); raise FetchError otherwise."""
    try:
        response = http_request(url, method="GET", headers={"User-Agent": "BouncePortal"}, timeout=TIMEOUT_SECONDS)
    except EgressRefused as exc:
        raise FetchError(str(exc)) from None
    except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from None
    if response.status != 200:
        raise FetchError(f"HTTP {response.status} (redirects are not followed)")
    if len(response.body) > max_bytes:
        raise FetchError(f"more than {max_bytes} bytes")
    return response.body
