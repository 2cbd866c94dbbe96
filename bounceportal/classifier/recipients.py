"""The recipients of a bounce and what each was told: from RFC 3464 fields or the notice text.

:func:`dsn_recipients` reads one recipient per ``message/delivery-status`` group and completes
it from the notice; :func:`text_recipients` finds failed addresses in a notice without one;
:func:`recipient_from` turns the texts about one recipient into a :class:`~.result.Recipient`
(codes, stage, reason, evidence). :mod:`.kinds` decides which of these a message needs.
"""

from __future__ import annotations

import re

from . import budget
from .decision import Decision, phrase_reason, squash
from .dsn import parse_dsn, status_from_code_alone, strip_type
from .lazyre import compile_later
from .mime import first_header
from .reasons import decide
from .result import Recipient
from .smtpreply import apply_decision
from .smtptext import command_of, reply_code_of, status_of
from .textbounce import ADDRESS, addresses_in, is_delay_notice, recipient_blocks

_ADDRESS_RE = compile_later(ADDRESS)
_BRACKETED = compile_later("<(" + ADDRESS + ")>")
DONE_ACTIONS = ("delivered", "relayed", "expanded")
# Actions that make no bounce (DESIGN §2): the mail arrived or was handed on, or delivery is still
# being retried ("delayed": the send becomes deferred).
NOT_BOUNCE_ACTIONS = (*DONE_ACTIONS, "delayed")


def any_failed(recipients: list[Recipient]) -> bool:
    """True when some recipient's mail failed. A notice whose recipients were all delivered, relayed
    or delayed is no bounce, whatever its shape: RFC 3464 fields, plain text or an SES event."""
    return any(r.action not in NOT_BOUNCE_ACTIONS for r in recipients)


def action_of(value: str, status: str) -> str:
    word = value.strip().split(" ", 1)[0].lower().strip("();")
    if word in ("failed", "delayed", "delivered", "relayed", "expanded"):
        return word
    if word == "deliverable":  # address verification reports (Postfix sendmail -bv)
        return "delivered"
    if status.startswith("2"):
        return "delivered"
    return "failed"


def dsn_recipients(dsn_text: str, notice: str, exclude: set[str]) -> list[Recipient]:
    """Return one Recipient per RFC 3464 recipient group, completed from the notice text."""
    _, groups = parse_dsn(dsn_text)
    blocks = {a.lower(): b for a, b in recipient_blocks(notice, exclude)}
    context = notice[:8000]
    recipients = []
    for fields in groups:
        budget.check()
        address = _clean_address(fields.get("final-recipient", ""))
        if "@" not in address:
            address = _clean_address(fields.get("original-recipient", "")) or address
        dsn_status = status_of(fields.get("status", ""))
        action = action_of(fields.get("action", ""), dsn_status)
        raw_diagnostic = fields.get("diagnostic-code", "")
        diagnostic = strip_type(raw_diagnostic)
        if action == "delayed" and says_final(
            diagnostic + "\n" + (blocks.get(address.lower(), "") or (context if len(groups) == 1 else ""))
        ):
            action = "failed"
        diag_type = raw_diagnostic.partition(";")[0].strip().lower() if ";" in raw_diagnostic else ""
        block = blocks.get(address.lower(), "")
        remote = strip_type(fields.get("remote-mta", ""))
        recipients.append(
            recipient_from(
                address,
                action,
                diagnostic,
                block,
                dsn_status,
                remote,
                context if len(groups) == 1 or not (diagnostic or block) else "",
                diag_type,
                guessed_status=status_from_code_alone(dsn_status, diagnostic, block),
            )
        )
    return recipients


# An "Action: delayed" report that says the queue has given up is a final failure (the
# send failed: RFC 3464 §2.3.3 "delayed" means delivery is still being attempted).
_FINAL = compile_later(
    r"will not be (?:retried|re-?tried|re-?sent|attempted again)|no (?:more|further) (?:delivery )?"
    r"(?:attempts|retries) will be made|(?:envelope|message) (?:has )?(?:now )?expired|"
    r"(?:has been|was) (?:expired|abandoned|bounced)|\b(?:gave|giving|have given) up\b|delivery time expired"
)


# Receipts in plain text that say the mail arrived (Exchange's "Delivered:" and "Relayed:" notices).
_DELIVERED_SUBJECT = compile_later(r"(?:delivered|relayed)\s?:", re.I)
_DELIVERED_BODY = compile_later(
    r"(?:has been|was) (?:successfully )?delivered to (?:the following|these|this) (?:recipients?|destinations?)|"
    r"delivery to (?:these|the following) recipients?(?: or (?:groups|distribution lists))? "
    r"(?:is complete|was successful|succeeded|has been completed)",
    re.I,
)
# Words of failure that no receipt of delivery contains.
_NOT_DELIVERED = compile_later(
    r"could(?: not|n't)|cannot|can't|unable|failed|failure|undeliver|not (?:be )?delivered|rejected|refused|delayed",
    re.I,
)


def says_delivered(subject: str, notice: str) -> bool:
    """True for a plain-text receipt that says the mail was delivered and nothing failed."""
    said = _DELIVERED_SUBJECT.match(subject.lstrip()) or _DELIVERED_BODY.search(notice)
    return bool(said) and not _NOT_DELIVERED.search(notice)


def says_final(text: str) -> bool:
    """True when a delayed report says it is in fact final (the envelope expired, no retry).

    Not the status alone: Exchange sends X.4.7 in its ordinary "has been delayed" warnings.
    """
    return bool(_FINAL.search(squash(text)))


def _clean_address(value: str) -> str:
    value = strip_type(value).strip().strip("<>").strip()
    found = _ADDRESS_RE.search(value)
    return found.group(0) if found else value


def text_recipients(
    notice: str, subject: str, top: dict[str, list[str]], original: dict[str, list[str]], exclude: set[str]
) -> list[Recipient]:
    """Return the Recipients of a human-readable bounce notice."""
    blocks = recipient_blocks(notice, exclude)
    unreported = False
    if not blocks:
        failed = [a for v in top.get("x-failed-recipients", []) for a in addresses_in(v)]
        if not failed:  # only the returned message says whom it was for
            failed = addresses_in(first_header(original, "to"))[:1]
            unreported = bool(failed)
        if not failed:
            # Notices of mailing-list software name the list address inside a sentence
            # ("Duplicated Message-ID in <list@example.org>"): the first one in brackets.
            failed = [a for a in _BRACKETED.findall(notice[:4000]) if a.lower() not in exclude][:1]
        # The failed address may equal an excluded one (a bounce sent to itself).
        loose = {a.lower(): b for a, b in recipient_blocks(notice, set())}
        blocks = [(address, loose.get(address.lower(), "")) for address in failed]
        unreported = unreported and not any(block for _, block in blocks)
    context = subject + "\n" + notice[:8000]
    if says_delivered(subject, notice[:8000]):
        action = "delivered"
    elif is_delay_notice(squash(context)) and not says_final(context):
        action = "delayed"
    else:
        action = "failed"
    single = len(blocks) == 1
    return [
        recipient_from(
            address, action, "", block, "", "", context if single or not block.strip() else "", unreported=unreported
        )
        for address, block in blocks
    ]


# With PIPELINING (RFC 2920 §3.1) the RCPT replies come back after ">>> DATA" in a transcript;
# DATA then refused for want of recipients ("503 5.0.0 Need RCPT", "554 No valid recipients")
# says the refusals before it were answers to RCPT, not to DATA.
_PIPELINED_DATA = compile_later(
    r"^<<<[ \t]*(?:503|554)[ -].*(?:need (?:rcpt|recipient)|no valid recipients|valid rcpt command).*$", re.I | re.M
)

# Reasons a sendmail status X.1.y guessed from a bare 550 / 553 stands for.
_ADDRESS_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved"})


def recipient_from(
    address: str,
    action: str,
    diagnostic: str,
    block: str,
    dsn_status: str,
    remote_mta: str,
    context: str,
    diag_type: str = "",
    unreported: bool = False,
    guessed_status: bool = False,
) -> Recipient:
    """Return a Recipient with codes, diagnostic and reason from the texts we have.

    ``guessed_status``: ``dsn_status`` is the MTA's guess from a bare reply code. It is
    reported, but it is evidence only where the remote's own words name an address problem
    too ("550 unknown user"); otherwise only its class is ("550 Denied" is no unknown user).
    """
    budget.check()
    source = diagnostic or block
    pipelined = "<<<" in source and _PIPELINED_DATA.search(source) is not None
    codes = _PIPELINED_DATA.sub("", source) if pipelined else source
    status = status_of(codes) or dsn_status
    reply = reply_code_of(codes) or (reply_code_of(block) if diagnostic else "")
    diag_l = squash(source)
    evidence = status
    if guessed_status and status == dsn_status and phrase_reason(diag_l) not in _ADDRESS_REASONS:
        evidence = f"{status[0]}.0.0"  # the MTA's guess, and the remote's words do not confirm it
    command = "RCPT" if pipelined else command_of(squash(block) + " " + diag_l if diagnostic else diag_l)
    if action in DONE_ACTIONS:
        decision = Decision(reason="delivered")
        decision.note(f"Action: {action}", action)
    else:
        decision = decide(
            diag_l,
            evidence,
            command,
            context,
            reply_code=reply,
            action=action,
            diag_type=diag_type,
            unreported=unreported,
            remote_mta=remote_mta,
        )
    recipient = Recipient(
        address=address,
        action=action,
        status=status,
        reply_code=reply,
        diagnostic=" ".join(source.split())[:2000],
        remote_mta=remote_mta,
    )
    apply_decision(recipient, decision)
    return recipient
