"""What codes mean, as data: SMTP stages and reply codes (RFC 5321), enhanced status
codes (RFC 3463 and the IANA registry), and the codes providers document for themselves.

These are the first three layers of the decision in :mod:`.reasons`; each row says in
its comment where its meaning comes from. Nothing here is keyed on one sample's words.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------
# SMTP stages. Public names (the ``stage`` of a Recipient) and the spellings callers and
# MTAs use for them. "after-data" is the reply to the final "." (RFC 5321 §4.1.1.4):
# the server has the whole message, so it is judging the content, not the address.
STAGES = ("connect", "helo", "mail", "rcpt", "data", "after-data")
STAGE_ALIASES = {
    "conn": "connect",
    "connect": "connect",
    "connection": "connect",
    "greeting": "connect",
    "banner": "connect",
    "helo": "helo",
    "ehlo": "helo",
    "mail": "mail",
    "mail from": "mail",
    "rcpt": "rcpt",
    "rcpt to": "rcpt",
    "data": "data",
    "enddata": "after-data",
    "end of data": "after-data",
    "after-data": "after-data",
    "after data": "after-data",
}


def stage_name(command: str) -> str:
    """Return the public stage name for any spelling of an SMTP stage, or ``""``."""
    return STAGE_ALIASES.get(command.strip().lower().replace("_", " "), "")


# When only the stage is known (RFC 5321 §3): refusing our connection or greeting is a
# refusal of our host; refusing MAIL FROM is a refusal of our sender address.
STAGE_REASONS = {"connect": "blocked", "helo": "blocked", "mail": "rejected"}
# A bare "access denied" names no cause: what was denied follows from the stage (our
# host, our sender, this recipient's mail, the message); unknown stage: a security refusal
# (the corpus's labels read it so; a cause named after it decides first: specific._named_after).
ACCESS_DENIED = {
    "connect": "blocked",
    "helo": "blocked",
    "mail": "rejected",
    "rcpt": "filtered",
    "data": "rejected",
    "after-data": "rejected",
}
ACCESS_DENIED_DEFAULT = "securityerror"
# A DNS lookup that failed names no verdict on the name: at MAIL it was our sender's
# domain that could not be checked (a refusal of our sender for now), at HELO our name;
# elsewhere the receiver's routing failed (a network error).
LOOKUP_FAILED = {"connect": "blocked", "helo": "blocked", "mail": "rejected"}
LOOKUP_FAILED_DEFAULT = "networkerror"
# RFC 5321 §4.2.3: 501 "syntax error in parameters or arguments", 555 "MAIL FROM/RCPT TO
# parameters not recognized or not implemented". The server could not parse what we sent
# ("501 5.5.4 Invalid domain name"), which is no verdict that an address does not exist.
ARGUMENT_SYNTAX_REPLIES = frozenset({"501", "555"})

# Reasons about the recipient, which cannot be right when the server refused us before
# the recipient was named (connection, greeting, MAIL FROM): see settling.adjust_for_stage.
# A protocol error of our client stays one at any stage ("SMTP synchronization error" at
# the greeting, "Syntax: HELO hostname"); a refused HELO *name* is read by its subject.
ABOUT_RECIPIENT = frozenset({"userunknown", "hostunknown", "filtered", "suspend", "hasmoved", "onhold", "undefined"})
STAGE_OVERRIDES = {
    "connect": ("blocked", ABOUT_RECIPIENT | {"rejected", "securityerror"}),
    "helo": ("blocked", ABOUT_RECIPIENT | {"rejected", "securityerror"}),
    "mail": ("rejected", ABOUT_RECIPIENT),
}

# ---------------------------------------------------------------------------------------
# Reply codes alone (RFC 5321 §4.2): 500-504, the command was not understood or not
# allowed in sequence; 421, "service not available, closing transmission channel".
# Any other 4yz is a transient refusal of a working server (§4.2.1: "the error
# condition is temporary"): the receiving system declined for now.
REPLY_REASONS = {
    "500": "syntaxerror",
    "501": "syntaxerror",
    "502": "syntaxerror",
    "503": "syntaxerror",
    "504": "syntaxerror",
    "421": "systemerror",
    # RFC 4954 §6 (SMTP AUTH): 530 authentication required, 534 mechanism too weak, 535
    # credentials invalid; 538 encryption required for the mechanism. Only AUTH uses them.
    "530": "securityerror",
    "534": "securityerror",
    "535": "securityerror",
    "538": "failedstarttls",
}
TRANSIENT_DEFAULT = "systemerror"
# RFC 7504: 521 "host does not accept mail", 556 "domain does not accept mail". Only they
# make a refusal under RFC 3463 X.3.2 ("system not accepting network messages": shutdown,
# load, maintenance) a verdict that the host takes no mail at all (see settling.system_status).
NO_MAIL_REPLIES = frozenset({"521", "556"})
SYSTEM_NOT_ACCEPTING = "3.2"

# ---------------------------------------------------------------------------------------
# RFC 3463 enhanced status codes, keyed on "subject.detail" (the class digit, 4 or 5,
# says only temporary or permanent). STRONG rows name one cause precisely enough to win
# over loose wording; each lists the phrase reasons that still beat it, because servers
# reuse the code for them (a "submission quota" sent as X.2.2, an SPF failure as X.7.27).
STRONG_STATUS: dict[str, tuple[str, frozenset[str]]] = {
    # destination mailbox has moved; Exchange also sends it for a single-label domain
    "1.6": ("hasmoved", frozenset({"hostunknown"})),
    "1.7": ("rejected", frozenset({"authfailure", "requireptr"})),  # bad sender's mailbox syntax
    "1.8": ("rejected", frozenset({"authfailure", "requireptr", "blocked"})),  # bad sender's system address
    # mailbox full; also sent for a sender's submission quota and (from a bare 552,
    # RFC 5321 §4.2.2 "exceeded storage allocation") for a message that is too big.
    "2.2": ("mailboxfull", frozenset({"speeding", "mesgtoobig", "toomanyconn", "exceedlimit"})),
    "2.3": ("exceedlimit", frozenset({"speeding"})),  # message length exceeds limit
    "3.1": ("systemfull", frozenset({"systemerror"})),  # mail system full
    "3.4": ("mesgtoobig", frozenset()),  # message too big for system
    # user account disabled (IANA registry); Exchange sends 5.7.13 for a sender it does not accept
    "7.13": ("suspend", frozenset({"rejected"})),
    "7.20": ("authfailure", frozenset()),  # no passing DKIM signature (RFC 7372)
    "7.21": ("authfailure", frozenset()),  # no acceptable DKIM signature
    "7.22": ("authfailure", frozenset()),  # no valid author-matched DKIM signature
    "7.23": ("authfailure", frozenset()),  # SPF validation failed
    "7.24": ("authfailure", frozenset()),  # SPF validation error
    "7.25": ("requireptr", frozenset()),  # reverse DNS validation failed
    "7.26": ("authfailure", frozenset()),  # multiple authentication checks failed
    # sender address has null MX (RFC 7505 §4.3): our MAIL FROM domain; Gmail also
    # sends it for SPF failures, which the wording then says.
    "7.27": ("rejected", frozenset({"authfailure", "notaccept"})),
}
# A default per subject (RFC 3463 §3: X.1 addressing, X.2 mailbox, X.3 mail system, X.4
# network and routing, X.5 mail delivery protocol, X.6 content or media, X.7 security
# or policy) for details no table names. X.1 is left out: a detail we do not know may be
# about the sender's address (X.1.7, X.1.8) as well as the recipient's.
SUBJECT_DEFAULTS = {
    "2": "systemerror",
    "3": "systemerror",
    "4": "networkerror",
    "5": "syntaxerror",
    "6": "contenterror",
    "7": "blocked",
}

# WEAK rows: what the subject means when no phrase says anything more specific.
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
    "2.4": "systemerror",  # mailing list expansion problem
    "3.0": "systemerror",  # other or undefined mail system status
    "3.2": "systemerror",  # system not accepting network messages (temporarily)
    "3.3": "contenterror",  # system not capable of selected features
    "3.5": "systemerror",  # system incorrectly configured
    "4.0": "networkerror",  # other or undefined network or routing status
    "4.1": "networkerror",  # no answer from host
    "4.2": "networkerror",  # bad connection
    "4.3": "networkerror",  # directory server failure (DNS lookup failed)
    "4.4": "hostunknown",  # unable to route
    "4.5": "systemfull",  # mail system congestion
    "4.6": "networkerror",  # routing loop detected
    "4.7": "expired",  # delivery time expired
    "5.0": "syntaxerror",  # other or undefined protocol status
    "5.1": "syntaxerror",  # invalid command
    "5.2": "syntaxerror",  # syntax error
    "5.3": "toomanyconn",  # too many recipients (in one transaction: not a size, exceedlimit)
    "5.4": "syntaxerror",  # invalid command arguments
    "5.5": "syntaxerror",  # wrong protocol version
    "6.0": "contenterror",  # other or undefined media error
    "6.1": "contenterror",  # media not supported
    "6.2": "contenterror",  # conversion required and prohibited
    "6.3": "contenterror",  # conversion required but not supported
    "6.4": "contenterror",  # conversion with loss performed
    "6.5": "contenterror",  # conversion failed
    # other or undefined security or policy status: as for X.3.0-X.6.0, the subject's own
    # default (a refusal of ours), not "sender configuration", which it does not assert
    "7.0": "blocked",
    "7.1": "blocked",  # delivery not authorised, message refused
    "7.2": "norelaying",  # mailing list expansion prohibited
    "7.3": "securityerror",  # security conversion required but not possible
    "7.4": "securityerror",  # security features not supported
    "7.5": "securityerror",  # cryptographic failure
    "7.6": "securityerror",  # cryptographic algorithm not supported
    "7.7": "securityerror",  # message integrity failure
    "7.8": "securityerror",  # authentication credentials invalid
    "7.9": "securityerror",  # authentication mechanism is too weak
    "7.10": "failedstarttls",  # encryption needed
    "7.11": "failedstarttls",  # encryption required for requested authentication mechanism
    "7.12": "securityerror",  # a password transition is needed
    "7.14": "securityerror",  # trust relationship required
    "7.15": "securityerror",  # priority level is too low
    "7.16": "mesgtoobig",  # message is too big for the specified priority
    "7.17": "suspend",  # mailbox owner has changed
    "7.18": "suspend",  # domain owner has changed
    "7.19": "securityerror",  # RRVS test cannot be completed
    "7.28": "speeding",  # mail flood detected (IANA registry)
    "7.29": "authfailure",  # ARC validation failure (RFC 8617)
    "7.30": "failedstarttls",  # REQUIRETLS support required (RFC 8689)
}
