"""The classifier's result types: one Result per message, one Recipient per address.

``Result.is_bounce`` is true for every message that says a mail did not get through: a
notice (RFC 3464 DSN, plain-text notice, SES event) where some recipient ``failed``,
auto-replies, complaints and unsubscribe requests. It is false for a notice whose
recipients were all delayed or delivered (DESIGN §2: "a DSN with ``Action: delayed`` is
not a bounce"), whatever its shape, for ordinary mail, and for bytes that could not be
understood (then ``error`` says why). Per recipient, ``action`` tells a failure
(``failed``) from a deferral (``delayed``: the send becomes deferred, see
:meth:`Result.defers`) or a success (``delivered``, ``relayed``, ``expanded``).
"""

from __future__ import annotations

from .taxonomy import SENDER_SIDE_REASONS, SUBTYPE_LABELS, categorize

TYPE_CHECKING = False  # typing costs ~10 ms of start-up; annotations are strings anyway
if TYPE_CHECKING:
    from typing import Any

KIND_DSN = "dsn"
KIND_AUTOREPLY = "autoreply"
KIND_FEEDBACK = "feedback"
KIND_UNSUBSCRIBE = "unsubscribe"
KIND_NOT_BOUNCE = "not_bounce"


class Recipient:
    """One recipient's outcome: address, codes, diagnostic text and the reason.

    A plain class rather than a dataclass: importing ``dataclasses`` (and ``inspect``
    with it) was a sixth of the command line's start-up. Compared and printed by fields.
    """

    __slots__ = FIELDS = (
        "address",
        "action",
        "status",
        "reply_code",
        "reason",
        "category",
        "subtype",
        "subtype_label",
        "hard",
        "diagnostic",
        "remote_mta",
        "feedback_type",
        # Release 0.2 (DESIGN "Classifier contract"): why the reason was chosen.
        "stage",  # connect, helo, mail, rcpt, data, after-data, or "" when unknown
        "sender_side",  # the cause is the sender's (IP, domain, content, rate)
        "filter_product",  # the filter or security product the evidence names
        "blocklist",  # the DNS blocklist the evidence names
        "evidence",  # [{"rule", "text"}]: which rule fired on which words
    )

    def __init__(
        self,
        address: str = "",
        action: str = "failed",
        status: str = "",
        reply_code: str = "",
        reason: str = "undefined",
        category: str = "undetermined",
        subtype: str = "undetermined",
        subtype_label: str = "Undetermined",
        hard: bool = False,
        diagnostic: str = "",
        remote_mta: str = "",
        feedback_type: str | None = None,
        stage: str = "",
        sender_side: bool = False,
        filter_product: str = "",
        blocklist: str = "",
        evidence: list[dict[str, str]] | None = None,
    ) -> None:
        self.address, self.action, self.status, self.reply_code = address, action, status, reply_code
        self.reason, self.category, self.subtype, self.subtype_label = reason, category, subtype, subtype_label
        self.hard, self.diagnostic, self.remote_mta, self.feedback_type = hard, diagnostic, remote_mta, feedback_type
        self.stage, self.sender_side, self.filter_product, self.blocklist = (
            stage,
            sender_side,
            filter_product,
            blocklist,
        )
        self.evidence: list[dict[str, str]] = evidence if evidence is not None else []

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Recipient):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return "Recipient(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS) + ")"

    def set_reason(self, reason: str) -> None:
        """Set the reason and derive category, subtype, label, hard and sender side from it."""
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
        data = {name: getattr(self, name) for name in self.FIELDS}
        data["evidence"] = [dict(item) for item in self.evidence]
        return data


class Result:
    """What one message is: a bounce or not, of which kind, and about whom."""

    __slots__ = FIELDS = ("is_bounce", "kind", "original_message_id", "send_token", "recipients", "error")

    def __init__(
        self,
        is_bounce: bool = False,
        kind: str = KIND_NOT_BOUNCE,
        original_message_id: str = "",
        send_token: str = "",
        recipients: list[Recipient] | None = None,
        error: str | None = None,
    ) -> None:
        self.is_bounce, self.kind, self.error = is_bounce, kind, error
        self.original_message_id, self.send_token = original_message_id, send_token
        self.recipients: list[Recipient] = recipients if recipients is not None else []

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return "Result(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS) + ")"

    def defers(self) -> bool:
        """True for a notice that is no bounce because delivery is still being retried: no
        recipient failed and one or more were delayed (their sends become deferred)."""
        return not self.is_bounce and any(r.action == "delayed" for r in self.recipients)

    def reports(self) -> bool:
        """True for a result the portal acts on as a notice: a bounce, or a delay notice."""
        return self.is_bounce or self.defers()

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
