"""RFC 3464 delivery-status fields: per-message and per-recipient groups.

A ``message/delivery-status`` body is a block of per-message fields followed by one
block per recipient, separated by empty lines. Real MTAs bend this: groups without the
empty line, several recipients in one block, fields folded over lines, status codes
with comments (``5.0.0 (permanent failure)``). This module reads what is there.
"""

from __future__ import annotations

import re

from .lazyre import compile_later
from .smtptext import reply_code_of, status_of

# A recipient group starts at one of these fields; when groups are not separated by an
# empty line, the same field seen twice starts the next one (either may come first).
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient")
_FIELD_LINE = compile_later(r"^([A-Za-z][A-Za-z0-9-]*)[ \t]*:(.*)$")
MAX_FIELD = 16 * 1024  # characters of one field value kept (a diagnostic is a few hundred)
_ADDRESS_TYPE = compile_later(r"^\s*[A-Za-z0-9-]+\s*;\s*")


def has_dsn_fields(text: str) -> bool:
    """True when a text carries RFC 3464 recipient fields (even outside a DSN part)."""
    low = text[:65536].lower()
    return "final-recipient:" in low or ("original-recipient:" in low and "action:" in low)


def parse_dsn(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Return ``(per_message_fields, [per_recipient_fields, ...])``, names lower-cased.

    Values are unfolded; each recipient dict keeps the first value of each field. A
    block (fields between empty lines) with a recipient field is a recipient group
    whatever the order of its fields: some MTAs put ``Final-Recipient`` last, after
    ``Action`` and ``Status``.
    """
    per_message: dict[str, str] = {}
    recipients: list[dict[str, str]] = []
    for block in _blocks(text):
        if not any(name in _RECIPIENT_FIELDS for name, _ in block):
            if not recipients:
                for name, value in block:
                    per_message.setdefault(name, value)
            continue
        current: dict[str, str] = {}
        for name, value in block:
            if name in current and (name in _RECIPIENT_FIELDS or (name in _GROUP_FIELDS and _has_recipient(current))):
                recipients.append(current)  # the same field again: the next recipient
                current = {}
            current.setdefault(name, value)
        recipients.append(current)
    return per_message, [r for r in recipients if _has_recipient(r)]


# Fields every recipient group has once: seen twice in one block, a new group began.
_GROUP_FIELDS = ("action", "status")


def _blocks(text: str) -> list[list[tuple[str, str]]]:
    """Return the blocks of ``text`` (split at empty lines) as unfolded fields.

    Continuation lines are collected and joined once (adding each to the value would copy it
    again per line: quadratic on a field folded over many lines), and a value is cut at
    MAX_FIELD characters: no real field is longer, and the phrase tables read every value.
    """
    blocks: list[list[tuple[str, str]]] = []
    fields: list[tuple[str, list[str]]] = []
    last: list[str] | None = None
    for line in text.split("\n"):
        if line[:1] in (" ", "\t") and line.strip():
            if last is not None:
                last.append(line.strip())
            continue
        if not line.strip():
            if fields:
                blocks.append(_joined(fields))
                fields = []
            last = None
            continue
        match = _FIELD_LINE.match(line)
        if not match:
            last = None
            continue
        last = [match.group(2).strip()]
        fields.append((match.group(1).lower(), last))
    if fields:
        blocks.append(_joined(fields))
    return blocks


def _joined(fields: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    return [(name, " ".join(pieces)[:MAX_FIELD]) for name, pieces in fields]


def _has_recipient(fields: dict[str, str]) -> bool:
    return any(name in fields for name in _RECIPIENT_FIELDS)


def strip_type(value: str) -> str:
    """Return a DSN value without its ``type;`` prefix (``rfc822;``, ``dns;``, ``smtp;``)."""
    return _ADDRESS_TYPE.sub("", value, count=1).strip()


# sendmail's own line for a recipient the remote refused: "550 5.1.1 <a@b>... User unknown".
_SENDMAIL_SUMMARY = compile_later(
    r"^[ \t]*[245][0-9][0-9][ \t]+[245]\.[0-9]{1,3}\.[0-9]{1,3}[ \t]+<?[^\s<>]+@[^\s<>]+?>?\.\.\.", re.M
)


def status_from_code_alone(status: str, diagnostic: str, block: str) -> bool:
    """True when the recipient's ``Status`` is the reporting MTA's reading of a bare 550 / 553.

    sendmail answers a refused RCPT with a summary line of its own (``550 5.1.1 <a@b>... User
    unknown``) and writes a status of its own (550 -> 5.1.1, 553 -> 5.1.3) whatever the remote
    said. When the remote's reply it quotes (``diagnostic``) has no enhanced status, that status
    is sendmail's guess from the code, and RFC 5321 gives 550 and 553 policy refusals too: it is
    still reported, but it is no evidence that the mailbox does not exist.
    """
    if status[2:4] != "1." or not diagnostic or status_of(diagnostic):
        return False
    return reply_code_of(diagnostic) in ("550", "553") and bool(_SENDMAIL_SUMMARY.search(block))
