"""The classifier's result types: one Result per message, one Recipient per address.

``Result.is_bounce`` is true for every message the portal has to act on: failed and
delayed DSNs, auto-replies, complaints and unsubscribe requests. It is false for DSNs
where every recipient was delivered (or relayed/expanded), for ordinary mail, and for
bytes that could not be understood (then ``error`` says why). Per recipient, ``action``
tells a failure (``failed``) from a deferral (``delayed``, the send becomes deferred)
or a success (``delivered``, ``relayed``, ``expanded``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .taxonomy import SENDER_SIDE_REASONS, SUBTYPE_LABELS, categorize

TYPE_CHECKING = False  # typing costs ~10 ms of start-up; annotations are strings anyway
if TYPE_CHECKING:
    from typing import Any

KIND_DSN = "dsn"
KIND_AUTOREPLY = "autoreply"
KIND_FEEDBACK = "feedback"
KIND_UNSUBSCRIBE = "unsubscribe"
KIND_NOT_BOUNCE = "not_bounce"


@dataclass
class Recipient:
    """One recipient's outcome: address, codes, diagnostic text and the reason."""

    address: str = ""
    action: str = "failed"
    status: str = ""
    reply_code: str = ""
    reason: str = "undefined"
    category: str = "undetermined"
    subtype: str = "undetermined"
    subtype_label: str = "Undetermined"
    hard: bool = False
    diagnostic: str = ""
    remote_mta: str = ""
    feedback_type: str | None = None
    # Release 0.2 (DESIGN "Classifier contract"): why the reason was chosen.
    stage: str = ""  # connect, helo, mail, rcpt, data, after-data, or "" when unknown
    sender_side: bool = False  # the cause is the sender's (IP, domain, content, rate)
    filter_product: str = ""  # the filter or security product the evidence names
    blocklist: str = ""  # the DNS blocklist the evidence names
    evidence: list[dict[str, str]] = field(default_factory=list)  # [{"rule", "text"}]

    def set_reason(self, reason: str) -> None:
        """Set the reason and derive category, subtype, label and hard from it."""
        self.reason = reason
        category, subtype, hard = categorize(reason, self.reply_code, self.status)
        if self.action == "delayed" and category not in ("autoreply", "complaint", "unsubscribe"):
            category, subtype, hard = "deferred", "deferred", False
        self.category, self.subtype, self.hard = category, subtype, hard
        self.subtype_label = SUBTYPE_LABELS[subtype]
        self.sender_side = reason in SENDER_SIDE_REASONS

    def note(self, rule: str, text: str) -> None:
        """Add one piece of evidence: the rule (or table row) that fired, on which words."""
        self.evidence.append({"rule": rule, "text": text[:300]})

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready mapping of the contract (DESIGN.md §2)."""
        data = {name: getattr(self, name) for name in _RECIPIENT_FIELDS}
        data["evidence"] = [dict(item) for item in self.evidence]
        return data


_RECIPIENT_FIELDS = tuple(f.name for f in fields(Recipient))


@dataclass
class Result:
    """What one message is: a bounce or not, of which kind, and about whom."""

    is_bounce: bool = False
    kind: str = KIND_NOT_BOUNCE
    original_message_id: str = ""
    send_token: str = ""
    recipients: list[Recipient] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready mapping; ``error`` only appears when set."""
        data: dict[str, Any] = {
            "is_bounce": self.is_bounce,
            "kind": self.kind,
            "original_message_id": self.original_message_id,
            "send_token": self.send_token,
            "recipients": [r.to_dict() for r in self.recipients],
        }
        if self.error:
            data["error"] = self.error
        return data
