"""Deciding what a gathered message is (its recipients are read by :mod:`.recipients`).

Order matters: an ARF report is a complaint even though it is a ``multipart/report``;
a DSN part wins over the notice text; an auto-reply is only an auto-reply when it does
not read like a bounce (MTAs set ``Auto-Submitted: auto-replied`` on DSNs too); a
human-readable bounce needs a bounce-like sender, subject or wording before we look
for failed addresses in it.
"""

from __future__ import annotations

import re

from .autoreplies import is_autoreply, is_unsubscribe, learner_of, starts_as_autoreply
from .decision import squash
from .dsn import has_dsn_fields
from .lazyre import FOLDS_TO_ASCII, compile_later
from .mime import decode_header_value, first_header, looks_like_header_block, parse_headers, split_head_body
from .names import hosts_in, name_refusal, trace_hosts
from .recipients import DONE_ACTIONS, action_of, any_failed, dsn_recipients, recipient_from, text_recipients
from .result import KIND_AUTOREPLY, KIND_DSN, KIND_FEEDBACK, KIND_NOT_BOUNCE, KIND_UNSUBSCRIBE, Recipient, Result
from .sesjson import load_notification, original_headers, recipients_of
from .taxonomy import SUBTYPE_LABELS, UNSUBSCRIBE
from .textbounce import addresses_in, split_notice
from .tokens import find_send_token, original_message_id

TYPE_CHECKING = False  # typing costs ~10 ms of start-up; annotations are strings anyway

if TYPE_CHECKING:  # core imports this module
    from typing import Any

    from .core import Gathered


# Senders that only ever send delivery reports.
_BOUNCE_SENDER = compile_later(
    r"mailer-daemon|postmaster|mail-daemon|mail delivery|mdaemon|"
    r"post_master|bounce|daemon@|mailer@|mailer_daemon",
    re.I,
)
# Subjects MTAs give their reports.
_BOUNCE_SUBJECT = compile_later(
    r"undeliver|undelivered|delivery (?:status|failure|failed|notification|problem|report)|"
    r"failure notice|returned mail|mail delivery|could not be delivered|returning message|"
    r"non[- ]?deliver|mail system error|not delivered|delivery has failed|failed delivery|"
    r"permanent (?:error|failure)|^warning: message|delayed mail|delivery delayed|"
    r"mail failure|message delivery|nicht zustellbar|unzustellbar|non remis|no entregado|"
    r"non consegnat|n[ãa]o entregue|niet (?:afgeleverd|bezorgd)|onbestelbaar|nie dostarczon|недоставлен|не доставлен|"
    r"loop (?:alert|detected)|message rejected|your message to .{1,80} (?:has been|was) rejected",
    re.I,
)
# Sentences of reports, for reports with an unusual sender and subject.
_BOUNCE_BODY = compile_later(
    r"could(?: not|n't) be delivered|wasn't able to deliver|unable to deliver|undeliverable|"
    r"delivery (?:has )?failed|permanent (?:error|failure|fatal)|did not reach|not be delivered|"
    r"error (?:delivering|sending|transferring)|failed permanently|delivery to the following|"
    r"returned to sender|could not deliver|the following address(?:es)? failed|"
    r"has not yet been delivered|was not delivered|following recipients? (?:could not|failed)|"
    r"(?:rejected|refused) (?:by|your)|message (?:was )?rejected|fatal errors?|"
    r"mail delivery failed|delivery failure|failure reasons?",
    re.I,
)


# A reply's subject prefix (RFC 5322 §3.6.5 "Re:", and the localized ones clients write).
_REPLY_SUBJECT = compile_later(r"(?:re|aw|sv|vs|antw|rif|r)\s?(?:\[\d+\])?\s?:", re.I)
# Headers only mailing lists and bulk senders set (RFC 2369 List-Unsubscribe etc., RFC 2919 List-Id).
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "list-help")
# Headers only non-delivery notices carry (Exchange's NDR flag, Exim's failed recipients).
_NOTICE_HEADERS = ("x-ms-exchange-message-is-ndr", "x-failed-recipients")


def _addresses(value: str) -> list[str]:
    return [a.lower() for a in addresses_in(value)]


def build(found: Gathered) -> Result:
    """Return the Result for a gathered message (ids are attached afterwards)."""
    top = found.top
    subject = decode_header_value(first_header(top, "subject"))
    if found.arf or "feedback-report" in first_header(top, "content-type").lower():
        return _feedback(found)
    full = found.notice()
    ses = load_notification(full) if "Type" in full else None
    if ses is not None:
        return _from_ses(ses, found)
    found.forwarded = forwarded_message(full)
    notice, inline = split_notice(full)
    if inline and looks_like_header_block(inline.lstrip("\n")):
        found.embedded = inline.lstrip("\n")
    if inline and not found.original:
        found.original = parse_headers(split_head_body(inline.lstrip("\n"))[0])
        found.original_text = inline[:65536]
    dsn_text = "\n\n".join(found.dsn)
    if not dsn_text and has_dsn_fields(notice):
        dsn_text = notice
    sender = first_header(top, "from")
    exclude = set(
        _addresses(sender)
        + _addresses(first_header(top, "to"))
        + _addresses(first_header(found.original, "from"))
        + _addresses(first_header(found.original, "return-path"))
    )
    to_of_original = first_header(found.original, "to")
    if dsn_text:
        recipients = dsn_recipients(dsn_text, notice, exclude)
        if recipients:
            name_from_report(recipients, found, reporting_mta_of(dsn_text))
            return Result(is_bounce=any_failed(recipients), kind=KIND_DSN, recipients=recipients)
    # A mail system's sender is read once; it rules out a person's request or away note first
    # (the cheaper test: the wordings of those are then never searched).
    if "disposition-notification" in first_header(top, "content-type").lower():
        return Result(kind=KIND_NOT_BOUNCE)  # a read receipt (RFC 8098 MDN): the mail arrived
    system_sender = bool(_BOUNCE_SENDER.search(sender))
    # Mail systems mark their notices as auto-replies too (Auto-Submitted, X-Auto-Response-Suppress):
    # a notice with a bounce's subject or an NDR's own headers is read as a bounce first.
    # (An away note's own subject marker wins: its original subject may well speak of delivery.)
    reads_as_notice = system_sender or any(name in top for name in _NOTICE_HEADERS)
    reads_as_notice = reads_as_notice or (bool(_BOUNCE_SUBJECT.search(subject)) and not starts_as_autoreply(subject))
    # A newsletter or list message (a digest too) is no person's request and no bounce, whatever
    # its words say about delivery; an auto-reply may carry list-like headers, so it is read first.
    mailing = not system_sender and any(name in top for name in _LIST_HEADERS)
    if not system_sender and not mailing and is_unsubscribe(top, subject, notice):
        return _single(
            KIND_UNSUBSCRIBE, sender, learner_of(sender, to_of_original, notice, exclude), "feedback", "opt-out"
        )
    if not reads_as_notice and is_autoreply(top, subject, notice):
        return _single(KIND_AUTOREPLY, sender, learner_of(sender, to_of_original, notice, exclude), "vacation", "")
    if mailing and not _BOUNCE_SUBJECT.search(subject):
        return Result(kind=KIND_NOT_BOUNCE)
    if not system_sender and _REPLY_SUBJECT.match(subject.lstrip()):
        # A person's reply to a bounce ("Re: Undelivered Mail") is no bounce: only what they
        # wrote counts, not the subject nor the quoted notice.
        notice, subject = unquoted(notice), ""
    if system_sender or _BOUNCE_SUBJECT.search(subject) or _BOUNCE_BODY.search(notice[:20000]):
        recipients = text_recipients(notice, subject, top, found.original, exclude)
        if recipients:
            name_from_report(recipients, found, "")
            return Result(is_bounce=any_failed(recipients), kind=KIND_DSN, recipients=recipients)
    if reads_as_notice and not system_sender and is_autoreply(top, subject, notice):
        learner = learner_of(sender, to_of_original, notice, exclude)
        return _single(KIND_AUTOREPLY, sender, learner, "vacation", "")  # named no failed recipient after all
    return Result(kind=KIND_NOT_BOUNCE)


_REPORTING_MTA_PATTERN = r"^reporting-mta:[ \t]*(?:[a-z0-9-]+;)?[ \t]*([^\s;()]+)"
_REPORTING_MTA = compile_later(_REPORTING_MTA_PATTERN, re.I | re.M)
# The same on ASCII text lower-cased (same offsets, same matches): compiling without
# re.IGNORECASE costs half.
_REPORTING_MTA_LOWER = compile_later(_REPORTING_MTA_PATTERN, re.M)


def reporting_mta_of(dsn_text: str) -> str:
    """Return the host of the DSN's ``Reporting-MTA`` field, or ``""``.

    Read on the lower-cased text without re.IGNORECASE wherever lower-casing keeps every
    character in place and no letter folds to ASCII only under re.IGNORECASE (the pattern's
    letters are lower-case ASCII, its classes hold no other letter): the same span, cut from
    the text and lower-cased as before."""
    if "eporting-" not in dsn_text:
        return ""
    lower = dsn_text.lower()
    if len(lower) == len(dsn_text) and (dsn_text.isascii() or FOLDS_TO_ASCII.isdisjoint(dsn_text)):
        found = _REPORTING_MTA_LOWER.search(lower)
        return dsn_text[found.start(1) : found.end(1)].lower() if found else ""
    found = _REPORTING_MTA.search(dsn_text)
    return found.group(1).lower() if found else ""


def name_from_report(recipients: list[Recipient], found: Gathered, reporting_mta: str) -> None:
    """Name the product from the reporting MTA or the header traces for recipients whose
    reply named none and that no remote host answered for (see :mod:`.names`)."""
    # Only when no remote host answered: then the reporting MTA (and the last hop) refused the
    # mail itself. With a remote host, they are the sender's own relays, not the refusing party.
    unnamed = [
        r
        for r in recipients
        if not r.filter_product
        and r.action not in DONE_ACTIONS
        and not r.remote_mta
        and not hosts_in(squash(r.diagnostic))
    ]
    if not unnamed:
        return
    traces = trace_hosts(found.original.get("received", []), found.top.get("received", []))
    if not (reporting_mta or traces):
        return
    naming = name_refusal("", reporting_mta=reporting_mta, traces=traces)
    for recipient in unnamed if naming.product else ():
        recipient.filter_product = naming.product
        for rule, words in naming.notes:
            recipient.note(rule, words)


# The start of a forwarded message in a user's mail client ("Begin forwarded message:",
# "---------- Forwarded message ---------").
_FORWARD_START = compile_later(r"^[ \t]*(?:-+ ?)?(?:begin )?forwarded message:?(?: ?-+)?[ \t]*$", re.I | re.M)
_QUOTE = compile_later(r"^> ?", re.M)


def unquoted(text: str) -> str:
    """Return ``text`` without its quoted lines (those starting with ``>``)."""
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">")) if ">" in text else text


def forwarded_message(text: str) -> str:
    """Return a message forwarded inline (unquoted when quoted with ``>``), or ``""``."""
    match = _FORWARD_START.search(text) if "orwarded" in text else None
    if not match:
        return ""
    rest = text[match.end() :].lstrip("\n")
    if rest.startswith(">"):
        lines = []
        for line in rest.split("\n"):
            if not line.startswith(">"):
                break
            lines.append(line)
        rest = _QUOTE.sub("", "\n".join(lines))
    return rest if looks_like_header_block(rest) else ""


def _from_ses(data: dict[str, Any], found: Gathered) -> Result:
    """Return the Result of an Amazon SES event notification."""
    found.original = original_headers(data)
    found.original_text = ""
    recipients = []
    for row in recipients_of(data):
        if "feedback_type" in row:
            recipient = Recipient(address=row["address"], action="")
            recipient.set_reason("feedback")
            recipient.feedback_type = row["feedback_type"]
            recipient.note("Amazon SES complaint notification", f"complaintFeedbackType: {row['feedback_type']}")
            recipients.append(recipient)
            continue
        action = action_of(row["action"], row["status"])
        recipients.append(
            recipient_from(row["address"], action, row["diagnostic"], "", row["status"], row["remote_mta"], "")
        )
    kind = KIND_FEEDBACK if data.get("complaint") else KIND_DSN
    return Result(is_bounce=any_failed(recipients), kind=kind, recipients=recipients)


def _single(kind: str, sender: str, learner: tuple[str, str], reason: str, feedback_type: str) -> Result:
    """Return a one-recipient result for a message written by (or for) the recipient
    (``learner``: its address and how it was found, from :func:`autoreplies.learner_of`)."""
    address, how = learner
    recipient = Recipient(address=address, action="")
    recipient.set_reason(reason)
    recipient.note(f"kind: {kind} (headers, subject or words of the message)", sender)
    if address.lower() not in sender.lower():
        recipient.note(f"learner: {how}", address)
    if kind == KIND_UNSUBSCRIBE:
        recipient.category, recipient.subtype = UNSUBSCRIBE, "unsubscribe_request"
        recipient.subtype_label = SUBTYPE_LABELS["unsubscribe_request"]
    recipient.feedback_type = feedback_type or None
    return Result(is_bounce=True, kind=kind, recipients=[recipient])


def _feedback(found: Gathered) -> Result:
    """Return the complaint result of an RFC 5965 ARF report, one recipient per address."""
    fields = parse_headers("\n".join(found.arf))
    feedback_type = (first_header(fields, "feedback-type") or "abuse").strip().lower()
    addresses = [a for v in fields.get("original-rcpt-to", []) for a in addresses_in(v)]
    if not addresses:
        addresses = [a for v in fields.get("removal-recipient", []) for a in addresses_in(v)]
    if not addresses:
        addresses = addresses_in(first_header(found.original, "to"))[:1]
    recipients = []
    for address in addresses or [""]:
        recipient = Recipient(address=address, action="")
        recipient.set_reason("feedback")
        recipient.feedback_type = feedback_type
        recipient.note("RFC 5965 feedback report", f"Feedback-Type: {feedback_type}")
        recipients.append(recipient)
    return Result(is_bounce=True, kind=KIND_FEEDBACK, recipients=recipients)


def attach_ids(result: Result, found: Gathered, bounce_domain: str) -> None:
    """Fill ``original_message_id`` and ``send_token`` from the returned message."""
    result.original_message_id = original_message_id(found.original, found.original_text)
    if not result.original_message_id and result.kind in (KIND_AUTOREPLY, KIND_UNSUBSCRIBE):
        # A reply returns no copy; it names the message it answers (RFC 3834 §3.1.4, RFC 5322).
        result.original_message_id = original_message_id({"message-id": found.top.get("in-reply-to", [])}, "")
    result.send_token = find_send_token(
        found.top, found.original, found.original_text, result.original_message_id, bounce_domain
    )
