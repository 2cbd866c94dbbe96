"""Why a recipient bounced: the one place the decision is made, in a documented order.

The evidence comes in five layers, each kept as data in its own table: the **SMTP
stage** (connect / helo / mail / rcpt / data / after-data: :mod:`.codes`), the **reply
code** (RFC 5321), the **RFC 3463 status** (a meaning per code, and a default per
subject), the **receiving provider's own codes** (:mod:`.providers`, keyed on the
code, words and remote host) and the **phrase tables** per reason (:mod:`.phrases`).
:func:`decide` resolves them from the most specific to the least, and writes every
rule that fired (and the words it keyed on) into the decision's ``evidence``:

1. a provider's documented code (Exchange's 5.7.606, Gmail's 4.7.28, Outlook.com's
   RP-001): it names one meaning of that provider, so it is trusted first;
2. the subject of the refusal ("Helo command rejected:", "Client host rejected:",
   "Sender address rejected:"): its detail is about us, never about the recipient;
3. the phrase tables on the remote server's quoted reply, else on the diagnostic,
   against a STRONG RFC 3463 code: the code wins unless the words give a reason the
   code is known to be reused for (X.2.2 sent for a sender quota or a size limit). A
   generic refusal that names its cause ("Access denied, <cause>", "Rejected: <cause>",
   "Policy violation: <cause>", "Message rejected due to <cause>") is read by the cause
   when the whole text reads only as the generic refusal (:func:`_named_after`);
4. the stage settles "no such user": after the message was read (after-data) it is a
   filter talking (``filtered``); a hard bounce needs the RCPT stage, an X.1.y status or
   directory wording; "access denied" means what the stage says was refused (Postfix's
   "Recipient address rejected:" names the RCPT stage: a filter, never hard), and with no
   stage, an access denied "for now" ("try again later") is a temporary block of our host;
5. when nothing above spoke, in order: the WEAK RFC 3463 code, the stage alone (an
   SMTP refusal before RCPT: our host or our sender), the reply code (500-504 not
   understood, 421 unavailable), the RFC 3463 subject default, the queue's "gave up",
   and any other 4yz as a transient refusal (``systemerror``, never ``expired``);
6. the notice text around the report (provider landmarks, then the phrase tables);
7. nothing known: ``onhold`` (``undefined`` when no report named the recipient; a
   delayed report with no cause is waiting in a queue: ``expired``);
8. last, the stage corrects a reason about the recipient given before the recipient
   was named (refused at connect / HELO: a block of our host; at MAIL: our sender).

TLS: a receiver demanding TLS we did not use is ``failedstarttls`` (Mail block, sender
configuration); a destination whose own TLS could not be set up or verified (certificate,
DANE / TLSA, MTA-STS, handshake; Exchange Online's x.7.321-325) is ``systemerror`` (soft,
the recipient's side), since DESIGN §2 gives no soft reading to ``securityerror``.
"""

from __future__ import annotations

from .codes import (
    ACCESS_DENIED,
    ACCESS_DENIED_DEFAULT,
    ARGUMENT_SYNTAX_REPLIES,
    LOOKUP_FAILED,
    LOOKUP_FAILED_DEFAULT,
    NO_MAIL_REPLIES,
    REPLY_REASONS,
    STAGE_OVERRIDES,
    STAGE_REASONS,
    STRONG_STATUS,
    SUBJECT_DEFAULTS,
    SYSTEM_NOT_ACCEPTING,
    TRANSIENT_DEFAULT,
    WEAK_STATUS,
    stage_name,
)
from .lazyre import compile_later
from .names import name_refusal
from .phrasegate import GatedGroups
from .phrases import (
    ADDRESS_CERTAIN,
    GENERIC_READINGS,
    GENERIC_REFUSAL_HEAD,
    MAILBOX_NAMED,
    NOTICE_NAMES,
    NOTICE_PHRASES,
    OUR_SENDING,
    PHRASE_NAMES,
    PHRASES,
    RECIPIENT_SIDE,
    REFUSAL_SUBJECTS,
    TCP_FAILURES,
)
from .providers import PROVIDER_RULES, ProviderRule

_NOTICE = GatedGroups(NOTICE_PHRASES)
_PHRASES = GatedGroups(PHRASES)
_CERTAIN = GatedGroups([("userunknown", ADDRESS_CERTAIN)])
_RECIPIENT_SIDE = GatedGroups([("recipient", RECIPIENT_SIDE)])
_TCP = GatedGroups([("networkerror", TCP_FAILURES)])
_GENERIC_HEAD = compile_later(GENERIC_REFUSAL_HEAD)
_MAILBOX_NAMED = compile_later(MAILBOX_NAMED)
_OUR_SENDING = compile_later(OUR_SENDING)
# A per-recipient reply whose address slot is empty ("550 : User unknown",
# "550: : ...", "550 <>: ..."): the server answered the message, not a recipient.
_EMPTY_SLOT = compile_later(r"\b[45][0-9][0-9](?::? :| <>:) ")
# A relay's own summary followed by the remote server's reply in quotes (Amazon SES:
# "5.1.0 - Unknown address error 550-'5.7.1 ... Access denied'"): the remote server's
# words are read first, the relay's summary only when they say nothing we know.
_QUOTED_REPLY = compile_later(r"\b[245][0-9][0-9][- ]'([^']{4,})'")
# The enhanced status of such a quoted reply ("with '451 4.4.0 Primary target ...'"):
# when the relay's own status is undefined in its subject (detail 0, RFC 3463 §3), the
# remote server's status is the more specific one and is read instead.
_QUOTED_STATUS = compile_later(r"\b[245][0-9][0-9][- ]'?([45]\.[0-9]{1,3}\.[0-9]{1,3})\b")

# Sentences MTAs append to any final failure ("I've given up"): they say the queue
# ran out, which is the reason only when nothing more specific was said.
_WEAK_PHRASE = compile_later(
    r"(?:in|on) the queue too long|giving up|gave up|delivery attempts? (?:will )?(?:continue|stopped)"
)
# A reply quoted without its code that says only that the receiver declines for now ("Try
# again later", "Internal resource is temporarily unavailable", "... at this time"): a transient refusal, as a
# 4yz code would say. Read last, like the reply code it stands in for.
_FOR_NOW = compile_later(
    r"\btry (?:again )?later\b|\btemporarily (?:unavailable|deferred|rejected|refused)\b|\bat (?:this|the present) time\b"
)
# A permanent (5yz) refusal that names no cause but says the mail was refused ("554
# Message refused", "550 Routing rule rejection"): the receiver blocked it, for reasons
# of its own. Read last, when no code, stage or table said anything.
_PLAIN_REFUSAL = compile_later(
    r"\b(?:refus(?:ed|al)|reject(?:ed|ion)|denied|not (?:allowed|accepted|permitted)|prohibited|forbidden|blocked)\b"
)
# A hard verdict is about the recipient; a text that names only our side (the sender's
# address or domain, its return path, our HELO name) and never the recipient refuses us.
_HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})
_OUR_SIDE = compile_later(
    r"\b(?:sender|sending domain|from (?:address|domain)|return(?:-| )(?:address|path)|mail from|(?:helo|ehlo))\b"
)
_THEIR_SIDE = compile_later(r"\b(?:recipients?|rcpt|addressee|mailbox|user|account|to address|destination)\b")
_STORAGE = frozenset({"mailboxfull", "mesgtoobig", "exceedlimit", "systemfull"})
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
# A domain block list's verdict by the stage that named the domain: our HELO name (connect,
# HELO), our sender's domain (MAIL); otherwise a domain in the message (a link): spam.
_LISTED_DOMAIN = {"connect": "blocked", "helo": "blocked", "mail": "rejected"}
# A hard verdict said in a temporary reply without an X.1.y status, and what it is then:
# the mailbox lookup or the DNS lookup of the domain failed for now.
_TEMPORARY_ADDRESS = {"userunknown": "systemerror", "hostunknown": "networkerror"}
# When the stage is unknown, the domain list's reply names what was looked up (Postfix's
# reject_rhsbl_sender / _helo / _client: "Sender address [d] blocked using dbl...").
_LISTED_DOMAIN_NAMED = compile_later(
    r"\b(?:sender address \[|sender domain \[?|helo command \[|(?:unverified )?client host \[)"
)
_ABOUT_A_HOST = frozenset({"hostunknown", "notaccept", "networkerror", "syntaxerror"})


class Decision:
    """The reason for one recipient, the stage it was refused at, and why."""

    __slots__ = ("blocklist", "evidence", "filter_product", "provider", "reason", "sender_side", "stage")

    def __init__(self, reason: str = "", stage: str = "") -> None:
        self.reason, self.stage = reason, stage
        self.sender_side: bool | None = None  # None: the reason's default (taxonomy)
        self.blocklist = self.filter_product = ""
        self.provider = ""  # the provider row (providers.py) that decided, if one did
        self.evidence: list[dict[str, str]] = []

    def note(self, rule: str, text: str) -> None:
        """Record that ``rule`` fired on ``text``."""
        self.evidence.append({"rule": rule, "text": text[:300]})


def squash(text: str) -> str:
    """Return ``text`` lower-cased with every run of white space turned into one space."""
    return " ".join(text.split()).lower()  # str.split(): much faster than a regex here


def phrase_reason(text_lower: str) -> str:
    """Return the first reason (table order) whose phrases occur in ``text_lower``."""
    return _PHRASES.first(text_lower) if text_lower else ""


def status_reason(status: str, table: dict[str, str]) -> str:
    """Return the reason an enhanced status code names in ``table``, or ``""``."""
    if not status or status[0] not in "45":
        return ""
    return table.get(status[2:], "")


def _phrase(decision: Decision, text: str, where: str) -> str:
    reason, index, words = _PHRASES.find(text) if text else ("", -1, "")
    if reason:
        decision.note(f"phrase in the {where}: {PHRASE_NAMES[index]} → {reason}", words)
    return reason


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
        detail = _phrase(decision, diagnostic[found.end() :], "refusal detail")
        if detail in kept:
            decision.note(f"refusal of {found.group(0)!r}: its detail cannot be about it ({detail})", found.group(0))
            return detail
        settled = (
            host_reason if detail in _ABOUT_A_HOST else reason if detail in _NOT_ABOUT_US or not detail else detail
        )
        decision.note(f"refusal of {found.group(0)!r}: the detail is about us ({settled})", found.group(0))
        return settled
    return ""


def _status_and_words(decision: Decision, diagnostic: str, status: str, host: str, reply_code: str) -> str:
    """Steps 1-3 of the module doc: provider codes, refusal subject, strong status vs phrases."""
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
    words = quoted and _named_after(decision, quoted.group(1), _phrase(decision, quoted.group(1), "quoted reply"))
    if not words:
        words = _named_after(decision, diagnostic, _phrase(decision, diagnostic, "diagnostic"))
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
    detail, index, found = _PHRASES.find(text[head.end() :])
    if not detail or detail in GENERIC_READINGS:
        return words
    decision.note(f"a generic refusal ({head.group(0)!r}) names its cause: {PHRASE_NAMES[index]} → {detail}", found)
    return detail


def decide(
    diagnostic: str,
    status: str,
    command: str = "",
    context: str = "",
    *,
    reply_code: str = "",
    action: str = "failed",
    diag_type: str = "",
    unreported: bool = False,
    remote_mta: str = "",
    live: bool = False,
) -> Decision:
    """Return the decision for one failed or delayed recipient (see the module doc).

    ``diagnostic`` is the recipient's own text (squashed); ``context`` the rest of the
    notification (raw: squashed here, read only when everything else is silent).
    ``command`` is the SMTP stage in any spelling (``RCPT``, ``rcpt``, ``after-data``).
    ``live`` is true for a reply our own sender just received (not a queue's report).
    """
    decision = Decision(stage=stage_name(command))
    stage = decision.stage
    if stage:
        decision.note(f"stage: {stage}", command)
    status = _quoted_status(decision, diagnostic, status)
    reason = _status_and_words(decision, diagnostic, status, remote_mta, reply_code)
    if diag_type == "x-unix" and reason not in _STORAGE:
        decision.note("RFC 3464 diagnostic type x-unix: a local delivery program", diag_type)
        reason = "mailererror"
    reason = _temporary_address(decision, reason, status, reply_code)
    if reason == "userunknown" and not decision.provider:  # a provider's documented code is its own verdict
        reason = _user_or_filter(decision, status, stage, diagnostic, live=live)
    reason = _settle(decision, reason, stage, diagnostic, live=live) or _weak(
        decision, diagnostic, status, stage, reply_code
    )
    reason = _system_status(decision, _temporary_address(decision, reason, status, reply_code), status, reply_code)
    reason = _argument_syntax(decision, reason, status, reply_code)
    if not reason and context:
        reason = _from_context(decision, squash(context), stage)
    if not reason:
        reason = "expired" if action == "delayed" else "undefined" if unreported else "onhold"
        decision.note(f"nothing known: {reason}", action)
    decision.reason = _about_our_sender(decision, adjust_for_stage(decision, reason, stage), diagnostic)
    if decision.sender_side is None and diagnostic and _RECIPIENT_SIDE.first(diagnostic):
        decision.note("recipient side: the words name the recipient's own limit or server", diagnostic[:80])
        decision.sender_side = False
    _name_lists_and_products(decision, diagnostic, remote_mta)
    return decision


def _about_our_sender(decision: Decision, reason: str, diagnostic: str) -> str:
    """Return ``rejected`` (``blocked`` for our HELO name) for a hard reason whose text
    speaks only of our side: a false hard bounce would suppress a valid learner."""
    if reason not in _HARD_REASONS or not diagnostic:
        return reason
    ours = _OUR_SIDE.search(diagnostic)
    if not ours or _THEIR_SIDE.search(diagnostic):
        return reason
    settled = "blocked" if ours.group(0) in ("helo", "ehlo") else "rejected"
    decision.note(
        f"the text speaks of our {ours.group(0)!r}, not of the recipient ({reason} -> {settled})", ours.group(0)
    )
    return settled


def _quoted_status(decision: Decision, diagnostic: str, status: str) -> str:
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


def _name_lists_and_products(decision: Decision, diagnostic: str, remote_mta: str) -> None:
    """Fill the blocklist and filter product the reply or the remote host names (see :mod:`.names`)."""
    if not diagnostic and not remote_mta:
        return
    naming = name_refusal(diagnostic, remote_mta=remote_mta)
    decision.blocklist, decision.filter_product = naming.blocklist, naming.product
    for rule, words in naming.notes:
        decision.note(rule, words)


def reason_for(diagnostic: str, status: str, command: str = "", context: str = "", **options: object) -> str:
    """Return only the reason of :func:`decide` (same arguments)."""
    return decide(diagnostic, status, command, context, **options).reason  # type: ignore[arg-type]


def _weak(decision: Decision, diagnostic: str, status: str, stage: str, reply_code: str) -> str:
    """The fallbacks when no strong code, provider row or phrase spoke, in order."""
    weak = status_reason(status, WEAK_STATUS)
    if weak:
        decision.note(f"status {status}: RFC 3463 default ({weak})", status)
        return weak
    if stage in STAGE_REASONS and reply_code[:1] in ("4", "5"):  # an SMTP refusal, not a failed TCP connect
        decision.note(f"stage {stage} alone ({STAGE_REASONS[stage]})", stage)
        return STAGE_REASONS[stage]
    if reply_code in REPLY_REASONS:
        decision.note(f"reply code {reply_code}: RFC 5321 ({REPLY_REASONS[reply_code]})", reply_code)
        return REPLY_REASONS[reply_code]
    subject = SUBJECT_DEFAULTS.get(status[2:].split(".")[0]) if status[:1] in ("4", "5") else None
    if subject and status[2:] != "0.0":
        decision.note(f"status {status}: RFC 3463 subject default ({subject})", status)
        return subject
    found = _WEAK_PHRASE.search(diagnostic) if diagnostic else None
    if found:
        decision.note("queue gave up (expired)", found.group(0))
        return "expired"
    if reply_code[:1] == "4":
        decision.note(f"reply code {reply_code}: transient refusal ({TRANSIENT_DEFAULT})", reply_code)
        return TRANSIENT_DEFAULT
    found = _FOR_NOW.search(diagnostic) if not reply_code and not status and diagnostic else None
    if found:
        decision.note(f"no reply code, but the words say 'for now' ({TRANSIENT_DEFAULT})", found.group(0))
        return TRANSIENT_DEFAULT
    found = _PLAIN_REFUSAL.search(diagnostic) if reply_code[:1] == "5" and diagnostic else None
    if found:
        decision.note(f"reply code {reply_code}: a permanent refusal naming no cause (blocked)", found.group(0))
        return "blocked"
    return ""


def _from_context(decision: Decision, context: str, stage: str) -> str:
    reason, index, words = _NOTICE.find(context)
    if reason:
        decision.note(f"notice landmark: {NOTICE_NAMES[index]} → {reason}", words)
    else:
        reason = _phrase(decision, context, "notice text")
    if not reason:
        found = _WEAK_PHRASE.search(context)
        if found:
            decision.note("notice: queue gave up (expired)", found.group(0))
            reason = "expired"
    return _settle(decision, reason, stage)


def _user_or_filter(decision: Decision, status: str, stage: str, diagnostic: str, *, live: bool = False) -> str:
    """Decide between userunknown and filtered for "no such user" wording.

    A hard bounce suppresses the address for good, so the wording alone is not enough:
    it must be backed by the stage (said at RCPT TO), an address status (X.1.y) or
    wording that reports a directory lookup of this very mailbox (``ADDRESS_CERTAIN``).
    Said at or after DATA (a content filter talking), with a status naming another
    cause (X.2.1, X.7.1...), with the address slot of the reply left empty (a reply to
    the whole message), or with no status and no stage at all, it is ``filtered`` --
    except in a ``live`` reply whose words name the recipient (its mailbox, user, domain):
    an SMTP server's own answer to our sender is a verdict on the address it was given,
    not a filter's notice quoted in a report. A bare "Invalid address" with neither code
    nor stage does not say whose address (ours at MAIL FROM, or the recipient's).
    """
    certain = _CERTAIN.find(diagnostic)[2]
    if certain:
        decision.note("directory wording: the server looked the mailbox up and it is not there (userunknown)", certain)
        return "userunknown"
    if stage == "after-data":
        decision.note("'no such user' after the message was read: a filter judging it (filtered)", stage)
        return "filtered"
    if stage == "rcpt" or status[2:4] == "1.":
        decision.note("'no such user' corroborated by the RCPT stage or an X.1.y status", stage or status)
        return "userunknown"
    if (
        status[2:4] in ("2.", "3.", "6.", "7.")
        or _EMPTY_SLOT.search(diagnostic)
        or not (status or stage or (live and _names_the_recipient(diagnostic)))
        or (stage == "data" and status[2:] in ("", "0.0"))
    ):
        decision.note("'no such user' without an address status or RCPT stage (filtered)", status or diagnostic[:80])
        return "filtered"
    return "userunknown"


def _names_the_recipient(diagnostic: str) -> bool:
    """True when the words name the recipient's side (recipient, mailbox, user, its domain,
    the local part Exim's routers name)."""
    return bool(_THEIR_SIDE.search(diagnostic)) or "domain" in diagnostic or "local part" in diagnostic


def _temporary_address(decision: Decision, reason: str, status: str, reply_code: str) -> str:
    """Return ``systemerror`` for an unknown mailbox said in a temporary (4yz) reply.

    A 4yz reply says the server may accept later (RFC 5321 §4.2.1), and its 450 "mailbox
    unavailable" covers "mailbox busy or temporarily blocked" (§4.2.3): only an address
    status (X.1.y) makes it a verdict on the address. A lookup that failed for now
    ("Recipient address rejected: Temporary lookup failure") is the server's trouble.
    """
    settled = _TEMPORARY_ADDRESS.get(reason)
    if not settled or (reply_code or status)[:1] != "4" or status[2:4] == "1.":
        return reason
    decision.note(f"{reason} in a temporary (4yz) reply without an address status ({settled})", status)
    return settled


def _system_status(decision: Decision, reason: str, status: str, reply_code: str) -> str:
    """Return ``systemerror`` for a hard reason said under RFC 3463 X.3.2 without 521/556.

    X.3.2 is the receiving *system* not accepting messages (shutdown, load, maintenance):
    about the server, not the address, unless the reply says the host or domain takes no
    mail at all (RFC 7504: 521, 556).
    """
    if reason not in _HARD_REASONS or status[2:] != SYSTEM_NOT_ACCEPTING or reply_code in NO_MAIL_REPLIES:
        return reason
    decision.note(f"status {status}: the system is not accepting messages for now ({reason} -> systemerror)", status)
    return "systemerror"


def _argument_syntax(decision: Decision, reason: str, status: str, reply_code: str) -> str:
    """Return ``syntaxerror`` for a hard reason said in a 501 / 555 reply under an X.5.y status.

    The code says the server could not parse our command's argument (RFC 5321 §4.2.3) and
    the status agrees (RFC 3463 X.5: mail delivery protocol): no verdict on the address.
    Without that status the words decide (an MTA's report may pair 501 with "user unknown").
    """
    if reason not in _HARD_REASONS or reply_code not in ARGUMENT_SYNTAX_REPLIES or status[2:4] != "5.":
        return reason
    decision.note(f"reply {reply_code}: an argument we sent could not be parsed ({reason} -> syntaxerror)", reply_code)
    return "syntaxerror"


def _settle(decision: Decision, reason: str, stage: str, diagnostic: str = "", *, live: bool = False) -> str:
    """Turn the phrase tables' provisional answers into reasons.

    ``recipient_rejected`` (Postfix's prefix with nothing specific after it) is the
    address itself; ``access_denied`` depends on the stage (``STAGE_REASONS``);
    ``connect_failed`` is why a queue gave up (``expired``), or in a ``live`` reply a
    network error.
    """
    if reason == "recipient_rejected":
        return "userunknown" if stage not in ("data", "after-data") else "filtered"
    if reason == "listed_domain":
        named = _LISTED_DOMAIN_NAMED.search(diagnostic) if not stage and diagnostic else None
        if named:
            settled = "rejected" if named.group(0).startswith("sender") else "blocked"
            decision.note(f"a listed domain, named as {named.group(0)!r} ({settled})", named.group(0))
            return settled
        settled = _LISTED_DOMAIN.get(stage, "spamdetected")
        decision.note(f"a listed domain at stage {stage or 'unknown'} ({settled})", stage)
        return settled
    if reason == "connect_failed":
        settled = "networkerror" if live else "expired"
        decision.note(f"connection failed {'in a live reply' if live else 'in a queue report'} ({settled})", reason)
        return settled
    if reason == "lookup_failed":
        settled = LOOKUP_FAILED.get(stage, LOOKUP_FAILED_DEFAULT)
        decision.note(f"a DNS lookup failed or broken MX records at stage {stage or 'unknown'} ({settled})", stage)
        return settled
    if reason == "access_denied":
        if not stage and diagnostic and "recipient address rejected" in diagnostic:
            stage = "rcpt"  # Postfix's prefix of a refusal at RCPT TO names the stage
        for_now = _FOR_NOW.search(diagnostic) if not stage and diagnostic else None
        if for_now:
            decision.note("'access denied' for now: the receiver restricts us for the time being (blocked)", for_now[0])
            return "blocked"
        settled = ACCESS_DENIED.get(stage, ACCESS_DENIED_DEFAULT)
        decision.note(f"'access denied' at stage {stage or 'unknown'} ({settled})", stage)
        return settled
    return reason


def adjust_for_stage(decision: Decision, reason: str, stage: str) -> str:
    """Return ``reason`` corrected for the SMTP stage the failure happened at."""
    override = STAGE_OVERRIDES.get(stage)
    if override and reason in override[1]:
        decision.note(f"stage {stage}: the recipient was not named yet ({reason} -> {override[0]})", stage)
        return override[0]
    return reason


adjust_for_command = adjust_for_stage
