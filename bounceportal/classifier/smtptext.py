"""Reading SMTP facts out of free text: reply code, enhanced status, failed command.

Diagnostics quote the remote server in many wrappers (``host x said: 550 5.1.1 ...``,
``550-'5.7.1 ...'``, ``ERROR_CODE :550``, ``(#5.1.1)``); these helpers find the codes
without mistaking IP addresses, dates or version numbers for them.
"""

from __future__ import annotations

import re

from . import rx
from .phrasegate import GatedGroups

# RFC 5321 reply code: 2xx-5xx with a second digit 0-5, standing alone or followed by
# the "-" of a multi-line reply; never part of an IP address, a number or a word.
_REPLY = rx.compile(r"(?<![\w.#/=-])([245][0-5][0-9])(?=[- ,;:\]\)'\"]|$)(?![.\d])", re.M)
# RFC 3463 enhanced status: class.subject.detail, not inside a dotted IP address.
_STATUS = rx.compile(r"(?<![\w.])([245])\.([0-9]{1,3})\.([0-9]{1,3})(?!\.?[0-9])")

# The SMTP stage a failure happened at, from the wrappers MTAs put around replies.
_COMMANDS = [
    # Postfix "(in reply to RCPT TO command)", Exim "after RCPT TO:", sendmail ">>> RCPT
    # To:", DragonFly "did not like our RCPT TO", Yahoo "[RCPT_TO]", qmail "does not like
    # recipient", echoes of "RCPT TO:<addr>", X-Notes style "SMTP:RCPT".
    ("RCPT", (r"in reply to rcpt to", r"after rcpt to", r">>> rcpt to", r"our rcpt to",
              r"\[rcpt_to\]", r"does not like recipient", r"rcpt to:\s*<", r"\(rcpt to\)",
              r"\brcpt\b command", r"smtp:rcpt\b")),
    ("MAIL", (r"in reply to mail from", r"after mail from", r">>> mail from", r"our mail from",
              r"\[mail_from\]", r"sender was rejected", r"\(mail from\)", r"smtp:mail\b")),
    ("DATA", (r"in reply to end of data", r"in reply to data", r"after end of data",
              r"after data", r">>> data", r"our (?:final )?data", r"failed after i sent the message",
              r"\[data\]", r"\(data\)", r"smtp command:? data\b", r"smtp:data\b")),
    ("HELO", (r"in reply to (?:helo|ehlo)", r"after (?:helo|ehlo)", r">>> (?:helo|ehlo)",
              r"my name was rejected", r"our (?:helo|ehlo)")),
    ("CONN", (r"after initial connection", r"greeting", r"while connected", r"connection refused",
              r"in reply to .?connect", r"upon connect", r"\bbanner\b")),
]
# Screened by literals like the reason tables; the first stage in table order wins.
_COMMAND_GROUPS = GatedGroups(_COMMANDS)


def reply_code_of(text: str) -> str:
    """Return the SMTP reply code quoted in ``text`` (the last one wins), or ``""``.

    The last code is taken because wrappers quote the final answer after their own
    summary code (``554 4.4.7 Message expired ... <421 4.4.2 Connection timed out>``).
    """
    found = _REPLY.findall(text)
    return found[-1] if found else ""


def status_of(text: str) -> str:
    """Return the RFC 3463 status quoted in ``text`` (the last one wins), or ``""``."""
    found = _STATUS.findall(text)
    if not found:
        return ""
    for cls, subject, detail in reversed(found):
        if int(subject) <= 7:
            return f"{cls}.{int(subject)}.{int(detail)}"
    return ""


def command_of(text_lower: str) -> str:
    """Return the SMTP stage (CONN, HELO, MAIL, RCPT, DATA) a failure was reported at."""
    return _COMMAND_GROUPS.first(text_lower)
