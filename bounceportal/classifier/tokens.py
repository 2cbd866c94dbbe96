"""Finding our send token and the returned message's Message-ID in a bounce.

Our sends use the envelope sender ``bounces+TOKEN@BOUNCE_DOMAIN`` (VERP), a Message-ID
``<TOKEN@BOUNCE_DOMAIN>`` and an ``X-BouncePortal-Token`` header; tokens are URL-safe
base64-ish strings of at least 22 characters. The bounce is addressed to the VERP
address, and usually carries the original message or its headers.
"""

from __future__ import annotations

import re

from .lazyre import compile_later

TYPE_CHECKING = False  # collections.abc costs start-up; annotations are strings here
if TYPE_CHECKING:
    from collections.abc import Iterable

_TOKEN = r"[A-Za-z0-9_-]{22,}"
_VERP = compile_later(r"bounces\+(" + _TOKEN + r")@", re.I)
_TOKEN_ONLY = compile_later(_TOKEN + r"\Z")
_MESSAGE_ID_HEADER = compile_later(r"^message-id:[ \t]*(<[^>\s]{1,250}>)", re.I | re.M)
_TOKEN_HEADER = compile_later(r"^x-bounceportal-token:[ \t]*(" + _TOKEN + r")", re.I | re.M)

# Where the bounce itself says whom it was delivered to (our VERP address).
ENVELOPE_HEADERS = ("to", "delivered-to", "x-original-to", "envelope-to", "x-envelope-to", "x-rcpt-to", "return-path")


def verp_token(values: Iterable[str]) -> str:
    """Return the token of the first ``bounces+TOKEN@`` address among header values."""
    for value in values:
        match = _VERP.search(value) if "+" in value else None
        if match:
            return match.group(1)
    return ""


def message_id_token(message_id: str, bounce_domain: str = "") -> str:
    """Return the token carried by a Message-ID of ours, or ``""``.

    With ``bounce_domain`` the ID must be ``<TOKEN@bounce_domain>``; without it any
    ID whose local part (or a ``.``/``+`` separated piece of it) is token-shaped counts.
    """
    local, _, domain = message_id.strip("<> ").rpartition("@")
    if bounce_domain and domain.lower() != bounce_domain.lower():
        return ""
    for piece in re.split(r"[.+]", local):
        if _TOKEN_ONLY.match(piece) and not piece.isdigit():
            return piece
    return ""


def original_message_id(headers: dict[str, list[str]], text: str) -> str:
    """Return the returned message's Message-ID from its headers or from loose text."""
    values = headers.get("message-id")
    if values and values[0].strip():
        match = re.search(r"<[^>\s]+>", values[0])
        return match.group(0) if match else values[0].strip()
    match = _MESSAGE_ID_HEADER.search(text)
    return match.group(1) if match else ""


def find_send_token(
    top: dict[str, list[str]],
    original: dict[str, list[str]],
    original_text: str,
    message_id: str,
    bounce_domain: str = "",
) -> str:
    """Return our send token: VERP address first, then our header, then the Message-ID."""
    for headers in (top, original):
        token = verp_token(v for name in ENVELOPE_HEADERS for v in headers.get(name, ()))
        if token:
            return token
    values = original.get("x-bounceportal-token")
    if values and _TOKEN_ONLY.match(values[0].strip()):
        return str(values[0]).strip()
    match = _TOKEN_HEADER.search(original_text)
    if match:
        return match.group(1)
    token = verp_token([original_text[:65536]])
    return token or (message_id_token(message_id, bounce_domain) if message_id else "")
