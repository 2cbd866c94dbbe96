"""Step 4 and step 8 of the decision: provisional and hard answers settled by stage and codes.

A phrase table's answer is provisional (``recipient_rejected``, ``access_denied``,
``listed_domain``, ``connect_failed``, ``lookup_failed``) and a hard verdict
(``userunknown``) suppresses an address for good, so :func:`.reasons.decide` passes what
:mod:`.specific` read through these corrections: :func:`user_or_filter` (a hard bounce needs
the RCPT stage, an X.1.y status or directory wording), :func:`settle` (the provisional
answers by stage), :func:`temporary_address`, :func:`system_status` and
:func:`argument_syntax` (what a 4yz reply, X.3.2 and 501/555 say instead), and last
:func:`adjust_for_stage` and :func:`about_our_sender` (a reason about the recipient said
before the recipient was named, or in words naming only our side).
"""

from __future__ import annotations

from .codes import (
    ACCESS_DENIED,
    ACCESS_DENIED_DEFAULT,
    ARGUMENT_SYNTAX_REPLIES,
    LOOKUP_FAILED,
    LOOKUP_FAILED_DEFAULT,
    NO_MAIL_REPLIES,
    STAGE_OVERRIDES,
    SYSTEM_NOT_ACCEPTING,
)
from .decision import Decision
from .lazyre import compile_later
from .phrasegate import GatedGroups
from .phrases import ADDRESS_CERTAIN

_CERTAIN = GatedGroups([("userunknown", ADDRESS_CERTAIN)])
# A per-recipient reply whose address slot is empty ("550 : User unknown",
# "550: : ...", "550 <>: ..."): the server answered the message, not a recipient.
_EMPTY_SLOT = compile_later(r"\b[45][0-9][0-9](?::? :| <>:) ")
# A reply quoted without its code that says only that the receiver declines for now ("Try
# again later", "Internal resource is temporarily unavailable", "... at this time"): a transient refusal, as a
# 4yz code would say. Read last, like the reply code it stands in for.
FOR_NOW = compile_later(
    r"\btry (?:again )?later\b|\btemporarily (?:unavailable|deferred|rejected|refused)\b|\bat (?:this|the present) time\b"
)
# A hard verdict is about the recipient; a text that names only our side (the sender's
# address or domain, its return path, our HELO name) and never the recipient refuses us.
_HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})
_OUR_SIDE = compile_later(
    r"\b(?:sender|sending domain|from (?:address|domain)|return(?:-| )(?:address|path)|mail from|(?:helo|ehlo))\b"
)
_THEIR_SIDE = compile_later(r"\b(?:recipients?|rcpt|addressee|mailbox|user|account|to address|destination)\b")
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


def about_our_sender(decision: Decision, reason: str, diagnostic: str) -> str:
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


def user_or_filter(decision: Decision, status: str, stage: str, diagnostic: str, *, live: bool = False) -> str:
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


def temporary_address(decision: Decision, reason: str, status: str, reply_code: str) -> str:
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


def system_status(decision: Decision, reason: str, status: str, reply_code: str) -> str:
    """Return ``systemerror`` for a hard reason said under RFC 3463 X.3.2 without 521/556.

    X.3.2 is the receiving *system* not accepting messages (shutdown, load, maintenance):
    about the server, not the address, unless the reply says the host or domain takes no
    mail at all (RFC 7504: 521, 556).
    """
    if reason not in _HARD_REASONS or status[2:] != SYSTEM_NOT_ACCEPTING or reply_code in NO_MAIL_REPLIES:
        return reason
    decision.note(f"status {status}: the system is not accepting messages for now ({reason} -> systemerror)", status)
    return "systemerror"


def argument_syntax(decision: Decision, reason: str, status: str, reply_code: str) -> str:
    """Return ``syntaxerror`` for a hard reason said in a 501 / 555 reply under an X.5.y status.

    The code says the server could not parse our command's argument (RFC 5321 §4.2.3) and
    the status agrees (RFC 3463 X.5: mail delivery protocol): no verdict on the address.
    Without that status the words decide (an MTA's report may pair 501 with "user unknown").
    """
    if reason not in _HARD_REASONS or reply_code not in ARGUMENT_SYNTAX_REPLIES or status[2:4] != "5.":
        return reason
    decision.note(f"reply {reply_code}: an argument we sent could not be parsed ({reason} -> syntaxerror)", reply_code)
    return "syntaxerror"


def settle(
    decision: Decision, reason: str, stage: str, diagnostic: str = "", *, live: bool = False, status: str = ""
) -> str:
    """Turn the phrase tables' provisional answers into reasons.

    ``recipient_rejected`` (Postfix's prefix with nothing specific after it) is the
    address itself, unless a permanent security or policy status (5.7.y) says an access or
    policy rule refused the mail (then ``filtered``, as after DATA; a 4yz one is settled
    later as the server's trouble); ``access_denied`` depends on the stage (``STAGE_REASONS``);
    ``connect_failed`` is why a queue gave up (``expired``), or in a ``live`` reply a
    network error.
    """
    if reason == "recipient_rejected":
        if status[:4] == "5.7." and stage not in ("data", "after-data"):
            decision.note(f"Postfix's RCPT prefix under the policy status {status}: a rule refused the mail", status)
            return "filtered"
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
        for_now = FOR_NOW.search(diagnostic) if not stage and diagnostic else None
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
