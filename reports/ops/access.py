"""Who may read ``/readyz`` and ``/metrics``: a bearer token (OPS_TOKEN) or a staff session.

Outside production (the demo, the tests) they are open unless OPS_TOKEN is set.
``/healthz`` is always open: it says only that the process answers.
"""

import hmac

from django.conf import settings
from django.http import HttpRequest


def bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def may_read_ops(request: HttpRequest) -> bool:
    """True for the right bearer token, a logged-in staff user, or anyone outside production without OPS_TOKEN."""
    expected = settings.OPS_TOKEN
    if expected and hmac.compare_digest(bearer_token(request).encode(), expected.encode()):
        return True
    if not expected and not settings.PRODUCTION:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)
