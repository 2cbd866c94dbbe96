"""How a webhook delivery is signed, and how a receiver checks it.

Every POST carries ``X-BouncePortal-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256, keyed with the subscription's secret, of ``"<t>." + <the raw request body>``. The
timestamp is the attempt's (each retry is signed afresh), so a receiver that refuses signatures
older than a few minutes (``TOLERANCE_SECONDS``) cannot be fed a recorded request again; the
``Idempotency-Key`` header (the event's id) stays the same across retries, so a receiver that
remembers the keys it has processed handles each event once. Several ``v1=`` parts may appear
(while a secret is being rotated); one matching is enough.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-BouncePortal-Signature"
TOLERANCE_SECONDS = 300


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    """The value of ``X-BouncePortal-Signature`` for ``body`` sent at ``timestamp``."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify_signature(
    *, secret: str, body: bytes, header: str, now: float | None = None, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and its timestamp is within ``tolerance`` of now."""
    timestamp, macs = None, []
    for part in (header or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            macs.append(value)
    if timestamp is None or not macs:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = _mac(secret, timestamp, body)
    return any(hmac.compare_digest(expected, mac) for mac in macs)
