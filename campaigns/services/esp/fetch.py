"""The ESP code's outbound HTTP GET: no redirects (a redirect could lead anywhere), a timeout, a size cap.

Callers check the URL first (``sns.check_sns_url``: Amazon SNS hosts only). When the project's
egress guard lands (``bounceportal/egress.py``, issue of h13b), this is where it plugs in.
"""

from __future__ import annotations

import urllib.error
import urllib.request

TIMEOUT_SECONDS = 10


class FetchError(Exception):
    """The URL could not be fetched (refused, redirected, too large, not 200)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise FetchError(f"redirected ({code}); redirects are not followed")


_OPENER = urllib.request.build_opener(_NoRedirects)


def fetch_bytes(url: str, *, max_bytes: int) -> bytes:
    """GET ``url`` and return its body (at most ``max_bytes``); raise FetchError otherwise."""
    request = urllib.request.Request(url, headers={"User-Agent": "BouncePortal"})
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            if response.status != 200:
                raise FetchError(f"HTTP {response.status}")
            body = response.read(max_bytes + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise FetchError(str(getattr(exc, "reason", exc))) from None
    if len(body) > max_bytes:
        raise FetchError(f"more than {max_bytes} bytes")
    return body
