"""RFC 3464 delivery-status fields: per-message and per-recipient groups.

A ``message/delivery-status`` body is a block of per-message fields followed by one
block per recipient, separated by empty lines. Real MTAs bend this: groups without the
empty line, several recipients in one block, fields folded over lines, status codes
with comments (``5.0.0 (permanent failure)``). This module reads what is there.
"""

from __future__ import annotations


from . import rx

# A recipient group starts at one of these fields; when groups are not separated by an
# empty line, the same field seen twice starts the next one (either may come first).
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient")
_FIELD_LINE = rx.compile(r"^([A-Za-z][A-Za-z0-9-]*)[ \t]*:(.*)$")
_ADDRESS_TYPE = rx.compile(r"^\s*[A-Za-z0-9-]+\s*;\s*")


def has_dsn_fields(text: str) -> bool:
    """True when a text carries RFC 3464 recipient fields (even outside a DSN part)."""
    low = text[:65536].lower()
    return "final-recipient:" in low or ("original-recipient:" in low and "action:" in low)


def parse_dsn(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Return ``(per_message_fields, [per_recipient_fields, ...])``, names lower-cased.

    Values are unfolded; each recipient dict keeps the first value of each field.
    """
    per_message: dict[str, str] = {}
    recipients: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    last_name = ""
    for line in text.split("\n"):
        if line[:1] in (" ", "\t"):
            target = current if current is not None else per_message
            if last_name in target:
                target[last_name] += " " + line.strip()
            continue
        if not line.strip():
            if current is not None:
                recipients.append(current)
                current = None
            last_name = ""
            continue
        match = _FIELD_LINE.match(line)
        if not match:
            last_name = ""
            continue
        name, value = match.group(1).lower(), match.group(2).strip()
        if name in _RECIPIENT_FIELDS:
            if current is not None and name in current:
                recipients.append(current)
                current = None
            if current is None:
                current = {}
        target = current if current is not None else per_message
        if name not in target:
            target[name] = value
            last_name = name
        else:
            last_name = ""
    if current is not None:
        recipients.append(current)
    return per_message, [r for r in recipients if _has_recipient(r)]


def _has_recipient(fields: dict[str, str]) -> bool:
    return any(name in fields for name in _RECIPIENT_FIELDS)


def strip_type(value: str) -> str:
    """Return a DSN value without its ``type;`` prefix (``rfc822;``, ``dns;``, ``smtp;``)."""
    return _ADDRESS_TYPE.sub("", value, count=1).strip()
