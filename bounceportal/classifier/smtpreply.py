"""Recipients for outcomes seen by our own sender rather than read from a bounce."""

from __future__ import annotations

from .decision import Decision, squash
from .reasons import decide
from .result import Recipient
from .smtptext import command_of, status_of
from .taxonomy import REASON_TO_SUBTYPE


def classify_smtp_reply(
    code: int | str | None, text: str, *, address: str = "", remote_mta: str = "", command: str = ""
) -> Recipient:
    """Return the Recipient for an SMTP reply our sender received (e.g. at RCPT TO).

    ``code`` is the reply code, ``text`` the rest of the reply (an enhanced status
    code at its start is used as the status). A 4xx reply gives action ``delayed``.
    ``command`` is the stage the reply answered (``CONNECT``, ``HELO``, ``MAIL``,
    ``RCPT``, ``DATA``, ``after-data``...); empty when the caller does not know it.
    """
    reply = str(code or "").strip()[:3]
    text = text or ""
    status = status_of(text[:40]) or status_of(text)
    if not status and reply[:1] in "45" and reply.isdigit():
        status = f"{reply[0]}.0.0"
    diagnostic = " ".join(f"{reply} {text}".split())
    diag_l = squash(diagnostic)
    stage = command or command_of(diag_l)
    action = "delayed" if (reply or status)[:1] == "4" else "failed"
    decision = decide(diag_l, status, stage, reply_code=reply, action=action, remote_mta=remote_mta, live=True)
    recipient = Recipient(
        address=address, action=action, status=status, reply_code=reply, diagnostic=diagnostic, remote_mta=remote_mta
    )
    apply_decision(recipient, decision)
    return recipient


def apply_decision(recipient: Recipient, decision: Decision) -> None:
    """Give ``recipient`` the decision's reason (and category...), stage, side and evidence."""
    recipient.stage = decision.stage
    recipient.evidence = decision.evidence
    recipient.blocklist = decision.blocklist
    recipient.filter_product = decision.filter_product
    recipient.set_reason(decision.reason)
    if decision.sender_side is not None:
        recipient.sender_side = decision.sender_side


def recipient_for_reason(
    reason: str,
    *,
    address: str = "",
    status: str = "",
    reply_code: str = "",
    diagnostic: str = "",
    action: str = "failed",
) -> Recipient:
    """Return a Recipient the caller has already classified (e.g. ``expired``).

    Unknown reasons become ``undefined`` so the result always fits the taxonomy.
    """
    if reason not in REASON_TO_SUBTYPE:
        reason = "undefined"
    recipient = Recipient(
        address=address, action=action, status=status, reply_code=str(reply_code), diagnostic=diagnostic
    )
    recipient.set_reason(reason)
    return recipient
