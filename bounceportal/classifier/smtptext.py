"""Reading SMTP facts out of free text: reply code, enhanced status, failed command.

Diagnostics quote the remote server in many wrappers (``host x said: 550 5.1.1 ...``,
``550-'5.7.1 ...'``, ``ERROR_CODE :550``, ``(#5.1.1)``); these helpers find the codes
without mistaking IP addresses, dates or version numbers for them.
"""

from __future__ import annotations

import re

from .lazyre import compile_later
from .phrasegate import GatedGroups

# RFC 5321 reply code: 2xx-5xx with a second digit 0-5, standing alone or followed by
# the "-" of a multi-line reply; never part of an IP address, a number or a word.
# A code alone in brackets ("OFR_506 [506]") is a reference number, not a reply.
_REPLY = compile_later(r"(?<![\w.#/=-])(?!(?<=\[)\d{3}\])([245][0-5][0-9])(?=[- ,;:\]\)'\"]|$)(?![.\d])", re.M)
# A reply quoted in a sendmail transcript ("<<< 550 ..."), as opposed to the summary
# line sendmail writes after it ("554 <a@b>... Remote protocol error").
_REMOTE_REPLY = compile_later(r"<<<[ \t]*([245][0-5][0-9])(?=[- ]|$)", re.M)
# RFC 3463 enhanced status: class.subject.detail, not inside a dotted IP address.
_STATUS = compile_later(r"(?<![\w.])([245])\.([0-9]{1,3})\.([0-9]{1,3})(?!\.?[0-9])")

# The SMTP stage a failure happened at, from the wrappers MTAs put around replies.
_COMMANDS = [
    # Postfix "(in reply to RCPT TO command)", Exim "after RCPT TO:", sendmail ">>> RCPT
    # To:", DragonFly "did not like our RCPT TO", Yahoo "[RCPT_TO]", qmail "does not like
    # recipient", echoes of "RCPT TO:<addr>", X-Notes style "SMTP:RCPT".
    (
        "RCPT",
        (
            r"in reply to rcpt to",
            r"after rcpt to",
            r">>> rcpt to",
            r"our rcpt to",
            r"\[rcpt_to\]",
            r"does not like recipient",
            r"rcpt to:\s*<",
            r"\(rcpt to\)",
            r"\brcpt\b command",
            r"smtp:rcpt\b",
        ),
    ),
    (
        "MAIL",
        (
            r"in reply to mail from",
            r"after mail from",
            r">>> mail from",
            r"our mail from",
            r"\[mail_from\]",
            r"sender was rejected",
            r"\(mail from\)",
            r"smtp:mail\b",
        ),
    ),
    # The reply to the final "." (the server has read the whole message) is its own
    # stage: Postfix "in reply to end of DATA command", Exim "after end of data",
    # qmail "failed after I sent the message".
    (
        "ENDDATA",
        (
            r"in reply to end of data",
            r"after end of data",
            r"failed after i sent the message",
            r"our final data",
            r"after (?:the )?message (?:body|content|text)",
        ),
    ),
    (
        "DATA",
        (
            r"in reply to data",
            r"after data",
            r">>> data",
            r"our data",
            r"\[data\]",
            r"\(data\)",
            r"smtp command:? data\b",
            r"smtp:data\b",
        ),
    ),
    (
        "HELO",
        (
            r"in reply to (?:helo|ehlo)",
            r"after (?:helo|ehlo)",
            r">>> (?:helo|ehlo)",
            r"my name was rejected",
            r"our (?:helo|ehlo)",
        ),
    ),
    (
        "CONN",
        (
            r"after initial connection",
            r"greeting",
            r"while connected",
            r"in reply to .?connect",
            r"upon connect",
            r"\bbanner\b",
        ),
    ),
]
# Screened by literals like the reason tables; the first stage in table order wins.
_COMMAND_GROUPS = GatedGroups(_COMMANDS)


def reply_code_of(text: str) -> str:
    """Return the SMTP reply code quoted in ``text`` (the last failure wins), or ``""``.

    The last code is taken because wrappers quote the final answer after their own
    summary code (``554 4.4.7 Message expired ... <421 4.4.2 Connection timed out>``).
    In a session transcript the positive replies (``250 2.1.5 Ok``, ``354``, ``221
    Bye``) are steps that worked, so the last 4xx/5xx reply is the failure; a positive
    code is returned only when there is no other. In a sendmail transcript the remote
    server's reply (``<<< 550 ...``) wins over sendmail's own summary line after it.
    """
    if "<<<" in text:  # sendmail transcript: "<<<" lines are the remote server's replies
        remote = [code for code in _REMOTE_REPLY.findall(text) if code[0] in "45"]
        if remote:
            return str(remote[-1])
    found = _REPLY.findall(text)
    for code in reversed(found):
        if code[0] in "45":
            return str(code)
    return found[-1] if found else ""


def status_of(text: str) -> str:
    """Return the RFC 3463 status quoted in ``text`` (the last failure wins), or ``""``.

    As for reply codes, a success status (2.x.y) is only returned when no 4.x.y or
    5.x.y is quoted.
    """
    found = _STATUS.findall(text)
    if not found:
        return ""
    success = ""
    for cls, subject, detail in reversed(found):
        if int(subject) <= 7:
            if cls != "2":
                return f"{cls}.{int(subject)}.{int(detail)}"
            success = success or f"{cls}.{int(subject)}.{int(detail)}"
    return success


def command_of(text_lower: str) -> str:
    """Return the SMTP stage (CONN, HELO, MAIL, RCPT, DATA, ENDDATA) a failure was reported at."""
    return _COMMAND_GROUPS.first(text_lower)
