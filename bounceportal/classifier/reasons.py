"""Why a recipient bounced: the decision order over our tables (see :mod:`.phrases`).

:func:`reason_for` asks, in this order, and the first answer wins:

1. ``STRONG_STATUS``: RFC 3463 / IANA enhanced status codes precise enough to trust
   over any wording (X.2.2 mailbox full, X.7.26 authentication failed...);
2. the phrase tables, on the recipient's own diagnostic (on the remote server's reply
   first when a relay quotes it after its own summary);
3. ``WEAK_STATUS``: codes that servers also send for neighbouring causes;
4. ``COMMAND_REASONS``: the SMTP stage (a refused greeting is a block, a refused MAIL
   FROM a sender rejection), then ``REPLY_REASONS`` (500-504: not understood; 421:
   the receiving system is unavailable);
5. ``WEAK_PHRASES`` (boilerplate like "giving up"), then the whole notice text;
6. ``expired`` for a delayed recipient, ``onhold`` for a failed one (``undefined``
   when no report names the recipient at all: it was only found in the returned
   message, so nothing is known about its failure).

"No such user" wording is then told apart from a filter by the stage, the status and
the reply's shape (:func:`_user_or_filter`: a hard bounce needs corroboration), the
tables' provisional answers (``recipient_rejected``, ``access_denied``) are settled by
the stage (:func:`_settle`), and any reason about the recipient is corrected when the
server refused us before the recipient was named (:func:`adjust_for_command`).
"""

from __future__ import annotations

from . import rx
from .phrasegate import GatedGroups
from .phrases import ADDRESS_CERTAIN, NOTICE_PHRASES, PHRASES

_NOTICE = GatedGroups(NOTICE_PHRASES)
_PHRASES = GatedGroups(PHRASES)
_CERTAIN = GatedGroups([("userunknown", ADDRESS_CERTAIN)])
# A per-recipient reply whose address slot is empty ("550 : User unknown",
# "550: : ...", "550 <>: ..."): the server answered the message, not a recipient.
# A relay's own summary followed by the remote server's reply in quotes (Amazon SES:
# "5.1.0 - Unknown address error 550-'5.7.1 ... Access denied'"): the remote server's
# words are read first, the relay's summary only when they say nothing we know.
_QUOTED_REPLY = rx.compile(r"\b[245][0-9][0-9][- ]'([^']{4,})'")
_EMPTY_SLOT = rx.compile(r"\b[45][0-9][0-9](?::? :| <>:) ")

# RFC 3463 (and IANA registry) enhanced status codes that name one cause; the class
# digit is left out so 4.x.y and 5.x.y share a row. STRONG codes are precise enough
# to win over the text (servers reuse loose words like "rejected" with them); WEAK
# codes are also sent for neighbouring causes, so they only speak when no phrase does.
STRONG_STATUS = {
    "1.6": "hasmoved",  # destination mailbox has moved, no forwarding address
    "1.7": "rejected",  # bad sender's mailbox address syntax
    "1.8": "rejected",  # bad sender's system address
    "2.2": "mailboxfull",  # mailbox full
    "2.3": "exceedlimit",  # message length exceeds administrative limit
    "3.1": "systemfull",  # mail system full
    "3.4": "mesgtoobig",  # message too big for system
    "4.5": "systemfull",  # mail system congestion
    "7.13": "suspend",  # user account disabled (IANA registry)
    "7.20": "authfailure",  # no passing DKIM signature found (RFC 7372)
    "7.21": "authfailure",  # no acceptable DKIM signature found
    "7.22": "authfailure",  # no valid author-matched DKIM signature found
    "7.23": "authfailure",  # SPF validation failed
    "7.24": "authfailure",  # SPF validation error
    "7.25": "requireptr",  # reverse DNS validation failed
    "7.26": "authfailure",  # multiple authentication checks failed
    "7.27": "notaccept",  # sender address has null MX
}
WEAK_STATUS = {
    "1.0": "userunknown",  # other address status (in practice: the recipient)
    "1.1": "userunknown",  # bad destination mailbox address
    "1.2": "hostunknown",  # bad destination system address
    "1.3": "userunknown",  # bad destination mailbox address syntax
    "1.4": "userunknown",  # destination mailbox address ambiguous
    # RFC 7505 gives X.1.10 to "recipient address has null MX", but Exchange Online sends
    # 5.1.10 with RecipientNotFound for a mailbox that does not exist: the words decide.
    "1.10": "notaccept",
    "2.1": "suspend",  # mailbox disabled, not accepting messages
    "3.0": "systemerror",  # other or undefined mail system status
    "3.2": "notaccept",  # system not accepting network messages (also used for rate limits)
    "3.5": "systemerror",  # system incorrectly configured
    "4.1": "networkerror",  # no answer from host
    "4.2": "networkerror",  # bad connection
    "4.3": "systemerror",  # directory server failure
    "4.4": "hostunknown",  # unable to route
    "4.6": "networkerror",  # routing loop detected
    "4.7": "expired",  # delivery time expired
    "5.3": "exceedlimit",  # too many recipients
    "6.0": "contenterror",  # other or undefined media error
    "6.1": "contenterror",  # media not supported
    "6.3": "contenterror",  # conversion required but not supported
    "7.1": "blocked",  # delivery not authorised, message refused
    "7.2": "norelaying",  # mailing list expansion prohibited
    "7.7": "securityerror",  # message integrity failure
    "7.8": "securityerror",  # authentication credentials invalid
    "7.9": "securityerror",  # authentication mechanism is too weak
    "7.10": "failedstarttls",  # encryption needed
    "7.11": "failedstarttls",  # encryption required for requested authentication mechanism
    "7.17": "suspend",  # mailbox owner has changed
    "7.18": "suspend",  # domain owner has changed
}

# When only the stage is known: refusing our connection or greeting is a block of our
# host; refusing MAIL FROM is a refusal of our sender address.
COMMAND_REASONS = {"CONN": "blocked", "HELO": "blocked", "MAIL": "rejected"}

# What RFC 5321 reply codes mean when nothing else was said: 500-504, the server did
# not understand the command; 421, "service not available, closing transmission
# channel" (the receiving system is unavailable, try later).
REPLY_REASONS = {
    "500": "syntaxerror",
    "501": "syntaxerror",
    "502": "syntaxerror",
    "503": "syntaxerror",
    "504": "syntaxerror",
    "421": "systemerror",
}

# Sentences MTAs append to any final failure ("I've given up"): they say the queue
# ran out, which is the reason only when nothing more specific was said.
WEAK_PHRASES = [
    (
        "expired",
        rx.compile(
            r"(?:in|on) the queue too long|giving up|gave up|"
            r"delivery attempts? (?:will )?(?:continue|stopped)"
        ),
    ),
]


def squash(text: str) -> str:
    """Return ``text`` lower-cased with every run of white space turned into one space."""
    return " ".join(text.split()).lower()  # str.split(): much faster than a regex here


def phrase_reason(text_lower: str) -> str:
    """Return the first reason (table order) whose phrases occur in ``text_lower``."""
    return _PHRASES.first(text_lower) if text_lower else ""


def status_reason(status: str, table: dict) -> str:
    """Return the reason an enhanced status code names in ``table``, or ``""``."""
    if not status or status[0] not in "45":
        return ""
    return table.get(status[2:], "")


_STORAGE = frozenset({"mailboxfull", "mesgtoobig", "exceedlimit", "systemfull"})


def _user_or_filter(status: str, command: str, diagnostic: str) -> str:
    """Decide between userunknown and filtered for "no such user" wording.

    A hard bounce suppresses the address for good, so the wording alone is not enough:
    it must be backed by the stage (said at RCPT TO), an address status (X.1.y) or
    wording that reports a directory lookup of this very mailbox (``ADDRESS_CERTAIN``).
    Said after DATA with no specific status, with a status naming another cause (X.2.1,
    X.7.1...), with the address slot of the reply left empty (``550 : User unknown``:
    a reply to the whole message, not to one recipient), or with no status and no
    stage at all, it is a filter at the destination refusing the message.
    """
    if command == "RCPT" or status[2:4] == "1.":
        return "userunknown"
    if _CERTAIN.first(diagnostic):
        return "userunknown"
    if status[2:4] in ("2.", "3.", "6.", "7.") or _EMPTY_SLOT.search(diagnostic):
        return "filtered"
    if (status[2:] in ("", "0.0") and command == "DATA") or (not status and not command):
        return "filtered"
    return "userunknown"


def reason_for(
    diagnostic: str,
    status: str,
    command: str = "",
    context: str = "",
    *,
    reply_code: str = "",
    action: str = "failed",
    diag_type: str = "",
    unreported: bool = False,
) -> str:
    """Return the Sisimai-vocabulary reason for one failed or delayed recipient.

    ``diagnostic`` is the recipient's own text (squashed); ``context`` is the rest of the
    notification (raw: it is squashed here, and only when everything else is silent). A delayed recipient
    with no stated cause is ``expired`` (it is waiting in a queue), a failed one
    ``onhold``.
    """
    quoted = _QUOTED_REPLY.search(diagnostic) if "'" in diagnostic else None
    reason = (
        status_reason(status, STRONG_STATUS) or (quoted and phrase_reason(quoted.group(1))) or phrase_reason(diagnostic)
    )
    if diag_type == "x-unix" and reason not in _STORAGE:
        return "mailererror"  # RFC 3464 diagnostic from a local delivery program
    if reason == "userunknown":
        reason = _user_or_filter(status, command, diagnostic)
    reason = _settle(reason, command)
    reason = (
        reason
        or status_reason(status, WEAK_STATUS)
        or COMMAND_REASONS.get(command, "")
        or REPLY_REASONS.get(reply_code, "")
        or _weak_phrase(diagnostic)
    )
    if not reason and context:
        context = squash(context)
        reason = _notice_reason(context) or phrase_reason(context) or _weak_phrase(context)
    reason = _settle(reason, command)
    if not reason:
        reason = "expired" if action == "delayed" else "undefined" if unreported else "onhold"
    return adjust_for_command(reason, command)


def _settle(reason: str, command: str) -> str:
    """Turn the phrase tables' provisional answers into reasons.

    ``recipient_rejected`` (Postfix's prefix with nothing specific after it) is the
    address itself; ``access_denied`` depends on the stage (see ``COMMAND_REASONS``).
    """
    if reason == "recipient_rejected":
        return "userunknown"
    if reason == "access_denied":
        return COMMAND_REASONS.get(command, "securityerror")
    return reason


def _notice_reason(text: str) -> str:
    return _NOTICE.first(text) if text else ""


def _weak_phrase(text: str) -> str:
    for reason, pattern in WEAK_PHRASES:
        if pattern.search(text):
            return reason
    return ""


# A reason about the recipient cannot be right when the server refused us before the
# recipient was named (connection, greeting: a block of our host; MAIL FROM: a refusal
# of our sender).
_ABOUT_RECIPIENT = frozenset({"userunknown", "hostunknown", "filtered", "suspend", "hasmoved", "onhold", "undefined"})
_COMMAND_OVERRIDES = {
    "CONN": ("blocked", _ABOUT_RECIPIENT | {"rejected", "securityerror"}),
    "HELO": ("blocked", _ABOUT_RECIPIENT | {"rejected", "securityerror"}),
    "MAIL": ("rejected", _ABOUT_RECIPIENT),
}


def adjust_for_command(reason: str, command: str) -> str:
    """Return ``reason`` corrected for the SMTP stage the failure happened at."""
    override = _COMMAND_OVERRIDES.get(command)
    if override and reason in override[1]:
        return override[0]
    return reason
