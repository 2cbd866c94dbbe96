"""What makes two inbound messages, or two bounce events, the same (DESIGN §4: never counted twice).

The raw digest (SHA-256 of the bytes) tells only identical bytes apart. A bounce that reaches the
mailbox again through one more relay differs in the headers relays add, so the *content digest*
leaves those out: trace and envelope headers (``Received``, ``Return-Path``, ``Delivered-To``,
``X-Original-To``, ...), signatures and authentication results (DKIM, ARC), and the way headers
are folded or lines end. An *event key* is a second net at the level of one recipient: the send,
the recipient, the status, and the report's own Message-ID (which relays never change).

Both are computed from the bytes alone, before any classification, in time linear in their size.
"""

from __future__ import annotations

import hashlib
import re

from bounceportal.classifier.mime import normalize_newlines

# Headers a relay adds or rewrites on the way; none of them says anything about the report.
TRANSPORT_HEADERS = frozenset(
    {
        b"received",
        b"x-received",
        b"return-path",
        b"delivered-to",
        b"x-original-to",
        b"envelope-to",
        b"x-envelope-to",
        b"x-envelope-from",
        b"received-spf",
        b"authentication-results",
        b"x-authentication-results",
        b"dkim-signature",
        b"x-google-dkim-signature",
        b"domainkey-signature",
        b"arc-seal",
        b"arc-message-signature",
        b"arc-authentication-results",
        b"x-ms-exchange-organization-authas",
        b"x-spam-checker-version",
        b"x-spam-status",
        b"x-spam-score",
        b"x-virus-scanned",
    }
)
_FOLD = re.compile(rb"\n[ \t]+")  # a continuation line


def content_digest(raw: bytes) -> str:
    """Return the SHA-256 (hex) of ``raw`` without transport headers, folding and line-end differences.

    Header names are compared case-insensitively and runs of white space in values count as one
    space; the body is kept as it is, after line ends are made ``\\n`` and trailing empty lines dropped.
    """
    data = normalize_newlines(bytes(raw))
    if data.startswith(b"From "):  # an mbox separator line a local delivery agent added
        data = data.partition(b"\n")[2]
    if data.startswith(b"\n"):
        head, body = b"", data[1:]
    else:
        head, _, body = data.partition(b"\n\n")
    digest = hashlib.sha256()
    for line in _FOLD.sub(b" ", head).split(b"\n"):
        name, colon, value = line.partition(b":")
        name = name.strip().lower()
        if colon and name in TRANSPORT_HEADERS:
            continue
        digest.update(name + colon + b" ".join(value.split()) + b"\n" if colon else b" ".join(line.split()) + b"\n")
    digest.update(b"\n")
    digest.update(body.rstrip(b"\n"))
    return digest.hexdigest()


def event_key(*, send_id: int | None, address: str, status: str, report_id: str) -> str:
    """Return the key of one recipient's outcome in one report, or ``""`` when the report has no id.

    ``report_id`` is the report's own Message-ID: a relay that delivers the report again keeps it,
    while a new report about a new failure of the same send gets a new one.
    """
    report_id = report_id.strip()
    if not report_id:
        return ""
    parts = (str(send_id or ""), address.strip().lower(), status.strip(), report_id)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
