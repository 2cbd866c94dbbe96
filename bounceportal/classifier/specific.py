"""Steps 1-3 of the decision: the reason the reply itself states, most specific first.

:func:`status_and_words` reads, in the order :mod:`.reasons` documents: a provider's
documented code (:mod:`.providers`), an MTA's own failed TCP connect, the subject of the
refusal (our HELO, client host or sender: its detail is about us), then the phrase tables on
the remote server's quoted reply or the diagnostic against a strong RFC 3463 status, where a
generic refusal that names its cause is read by the cause. :func:`quoted_status` first takes
the more specific status of a quoted remote reply. What these steps return is still
provisional: :mod:`.settling` corrects it by the stage and the codes, and :mod:`.fallbacks`
speaks only when they return nothing.
"""

from __future__ import annotations

from .codes import STRONG_STATUS
from .decision import GATED_PHRASES, Decision, note_phrase
from .lazyre import compile_later
from .phrasegate import GatedGroups
from .phrases import (
    GENERIC_READINGS,
    GENERIC_REFUSAL_HEAD,
    MAILBOX_NAMED,
    OUR_SENDING,
    PHRASE_NAMES,
    REFUSAL_SUBJECTS,
    TCP_FAILURES,
)
from .providers import PROVIDER_RULES, ProviderRule

_TCP = GatedGroups([("networkerror", TCP_FAILURES)])
_GENERIC_HEAD = compile_later(GENERIC_REFUSAL_HEAD)
_MAILBOX_NAMED = compile_later(MAILBOX_NAMED)
_OUR_SENDING = compile_later(OUR_SENDING)
# A relay's own summary followed by the remote server's reply in quotes (Amazon SES:
# "5.1.0 - Unknown address error 550-'5.7.1 ... Access denied'"): the remote server's
# words are read first, the relay's summary only when they say nothing we know.
_QUOTED_REPLY = compile_later(r"\b[245][0-9][0-9][- ]'([^']{4,})'")
# The enhanced status of such a quoted reply ("with '451 4.4.0 Primary target ...'"):
# when the relay's own status is undefined in its subject (detail 0, RFC 3463 §3), the
# remote server's status is the more specific one and is read instead.
_QUOTED_STATUS = compile_later(r"\b[245][0-9][0-9][- ]'?([45]\.[0-9]{1,3}\.[0-9]{1,3})\b")
_SUBJECTS = [(compile_later(pattern), reason, host, kept) for pattern, reason, host, kept in REFUSAL_SUBJECTS]
# Detail reasons that speak of the recipient or are provisional: under a refusal of our
# HELO, client host or sender, they are about us (the subject's reason decides).
_NOT_ABOUT_US = frozenset(
    {
        "userunknown",
        "filtered",
        "suspend",
        "hasmoved",
        "recipient_rejected",
        "access_denied",
        "listed_domain",
        "lookup_failed",
    }
)
_ABOUT_A_HOST = frozenset({"hostunknown", "notaccept", "networkerror", "syntaxerror"})


def _rules_for(status: str) -> tuple[ProviderRule, ...]:
    """The provider rows that can match a status: keyed on its subject digit, plus the
    rows keyed on words only (an index: most statuses have no provider row at all)."""
    key = status[2:4] if status[:1] in ("4", "5") else ""
    rules = _RULE_INDEX.get(key)
    if rules is None:
        rules = _RULE_INDEX[key] = tuple(r for r in PROVIDER_RULES if not r.status or (key and r.status_subject == key))
    return rules


_RULE_INDEX: dict[str, tuple[ProviderRule, ...]] = {}


def _provider(decision: Decision, status: str, text: str, host: str) -> str:
    for rule in _rules_for(status):
        found = rule.matches(status, text, host)
        if found is not None:
            decision.note(f"provider: {rule.name}", found.group(0) or status)
            decision.provider = rule.name
            if rule.sender_side is not None:
                decision.sender_side = rule.sender_side
            return rule.reason
    return ""


def _refusal_subject(decision: Decision, diagnostic: str) -> str:
    """Layer 1b: the reason when the reply names what it refused (our HELO, host, sender)."""
    for pattern, reason, host_reason, kept in _SUBJECTS:
        found = pattern.search(diagnostic)
        if not found:
            continue
        detail = note_phrase(decision, diagnostic[found.end() :], "refusal detail")
        if detail in kept:
            decision.note(f"refusal of {found.group(0)!r}: its detail cannot be about it ({detail})", found.group(0))
            return detail
        settled = (
            host_reason if detail in _ABOUT_A_HOST else reason if detail in _NOT_ABOUT_US or not detail else detail
        )
        decision.note(f"refusal of {found.group(0)!r}: the detail is about us ({settled})", found.group(0))
        return settled
    return ""


def status_and_words(decision: Decision, diagnostic: str, status: str, host: str, reply_code: str) -> str:
    """Steps 1-3 of :mod:`.reasons`' order: provider codes, refusal subject, strong status vs phrases."""
    provider = _provider(decision, status, diagnostic, host) if diagnostic or status else ""
    if provider:
        return provider
    # No SMTP reply, or one whose RFC 3463 subject is network / routing (X.4.y): an MTA
    # reporting its own failed TCP connect ("451 4.4.1 Deferred: Connection refused by ...").
    tcp = _TCP.find(diagnostic)[2] if diagnostic and (not reply_code or status[2:4] == "4.") else ""
    if tcp:
        decision.note("TCP connection failed, no SMTP reply (networkerror)", tcp)
        return "networkerror"
    subject = (
        _refusal_subject(decision, diagnostic)
        if "rejected" in diagnostic or "helo" in diagnostic or "ehlo" in diagnostic
        else ""
    )
    if subject:
        return subject
    quoted = _QUOTED_REPLY.search(diagnostic) if "'" in diagnostic else None
    words = quoted and _named_after(decision, quoted.group(1), note_phrase(decision, quoted.group(1), "quoted reply"))
    if not words:
        words = _named_after(decision, diagnostic, note_phrase(decision, diagnostic, "diagnostic"))
    if (
        words == "mailboxfull"
        and status[2:4] == "7."
        and (_OUR_SENDING.search(diagnostic) or not _MAILBOX_NAMED.search(diagnostic))
    ):
        # A quota refused under a security or policy status (RFC 3463 X.7.y) is a limit the
        # receiver sets on us ("550 5.7.1 Email quota exceeded"); a full mailbox is X.2.2, or
        # a generic X.7.y whose words name the recipient's mailbox and not our sending.
        decision.note(f"a quota under the policy status {status}: a sending limit (speeding)", status)
        return "speeding"
    strong = STRONG_STATUS.get(status[2:]) if status[:1] in ("4", "5") else None
    if strong and not (words and words in strong[1]):
        decision.note(f"status {status}: RFC 3463 ({strong[0]})", status)
        return strong[0]
    return words


def _named_after(decision: Decision, text: str, words: str) -> str:
    """Return the specific reason a generic refusal names after its head, else ``words``.

    ``words`` is the tables' reading of the whole ``text``; when it is only a generic refusal
    (``GENERIC_READINGS``: "Access denied", "Rejected", "Policy" ...), the words after the head
    ("Access denied, <cause>", "Message rejected due to <cause>") are read alone, and a cause
    they name decides: the head's word says nothing the cause does not.
    """
    if not words or words not in GENERIC_READINGS:
        return words
    head = _GENERIC_HEAD.search(text)
    if head is None:
        return words
    detail, index, found = GATED_PHRASES.find(text[head.end() :])
    if not detail or detail in GENERIC_READINGS:
        return words
    decision.note(f"a generic refusal ({head.group(0)!r}) names its cause: {PHRASE_NAMES[index]} → {detail}", found)
    return detail


def quoted_status(decision: Decision, diagnostic: str, status: str) -> str:
    """Return the status of a remote reply the text quotes when ``status`` is X.Y.0."""
    if not status.endswith(".0") or "'" not in diagnostic:
        return status
    for found in _QUOTED_STATUS.finditer(diagnostic):
        inner = found.group(1)
        quoted = "'" in found.group(0) or diagnostic[found.start() - 1 : found.start()] == "'"
        if inner != status and quoted:
            decision.note(f"quoted remote reply: its status {inner} is more specific than {status}", found.group(0))
            return inner
    return status
