"""Human-readable bounce notices: where the notice ends and who failed with what text.

Most MTAs that do not send RFC 3464 reports (qmail, Exim, old Sendmail, Exchange 2003,
webmail providers) still share a shape: a few sentences, then each failed address on a
line of its own (``<a@b>:``, ``  a@b``, ``a@b on <date>``) followed by the server's
answer, then a marker line before the copy of the original message. This module finds
those pieces without knowing which MTA wrote them.
"""

from __future__ import annotations

import re

from .lazyre import FOLDS_TO_ASCII, compile_later

ADDRESS = r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"
_ADDRESS_RE = compile_later(ADDRESS)

# A line that starts the copy of the original message. Either a dashed/starred
# separator naming it, or one of the plain sentences MTAs use for the same job.
_CUT_PATTERN = (
    r"^[ \t]*(?:[-=*_]{2,}.{0,40}?(?:original|copy of|returned|rfc ?822|headers? (?:of|follow)|unsent|"
    r"enclosed|undelivered message|message text|included message)"
    r"|(?:original message|message headers|original mail|the headers) (?:follows?|as follows|are below|below)"
    r"|(?:below this line is a copy|a copy of the original message|included is a copy|"
    r"(?:below|here) is a copy of (?:the|your) (?:original )?message|"  # OpenSMTPD's last line
    r"this is a copy of the message)"
    r"|(?:return-path|received|dkim-signature|x-received):[ \t]?(?=\S)"  # some omit the space
    r")"
)
_CUT = compile_later(_CUT_PATTERN, re.M)
_CUT_ANY_CASE = compile_later(_CUT_PATTERN, re.I | re.M)

# A line that names a failed recipient first: optional list marker or field name,
# then the address (bare or in angle brackets), then nothing or the failure.
_RECIPIENT_LINE = compile_later(
    r"^[ \t]*(?:>>>[ \t]*|[-*\u2022][ \t]+|[245][0-9][0-9][ \t]+(?:[245]\.[0-9]{1,3}\.[0-9]{1,3}[ \t]+)?"
    r"|(?:rcpt to|recipient|address"
    r"|original-recipient|final-recipient|failed recipient)s?[ \t]*:[ \t]*(?:rfc822;[ \t]*)?)?"
    # in angle brackets, double or single quotes (Exchange: "'a@b' on 12/6/2026 10:01 AM") or bare
    r"[<\"']?(" + ADDRESS + r")[>\"']?(?=[\s:;,.)>]|$)",
    re.I | re.M,
)

# sendmail's transcript: "... while talking to mx.example.:" opens one SMTP session, whose
# ">>>" lines are its commands, "<<<" lines the server's replies and "550 5.1.1 <a@b>... User
# unknown" its own summary for one recipient. A session belongs to the recipients it names.
_SESSION = compile_later(r"^\.\.\. while talking to [^\n]*", re.I | re.M)
_SESSION_LINE = (">>>", "<<<")

# Phrases that introduce a recipient inside a sentence (DragonFly, SES, mailfoundry...).
_RECIPIENT_PHRASE_PATTERN = (
    r"(?:deliver(?:ing|ed|y)? (?:your )?(?:mail |message )?to|message to|mail to|recipient|"
    r"(?:message|mail) from \S+ to|"  # "Your message from <sender> to <recipient> ...": not the sender
    r"address(?:ee)?|rcpt to|errors?|failed|reached|to the following address(?:es)?|"
    r"undeliverable to|"
    # the same in the languages notices are localized into ("n'a pas pu être remis à a@b").
    r"remise? \u00e0|distribu\u00e9e? \u00e0|zugestellt werden an|entregad[oa] a|entregue (?:a|para)|"
    r"consegnat[oa] a|recapitat[oa] a|(?:consegnare|recapitare) il messaggio a|"
    r"(?:entregar|enviar)(?: el| su)? mensaje a|remettre (?:le |votre )?message \u00e0|konnte nicht an)[:\s]*<?("
    + ADDRESS
    + r")>?"
    # or the address alone at the end of a line, after a colon ("... attempts: a@b"),
    # (never after "FROM:": in a transcript that is our envelope sender).
    r"|(?<!from):[ \t]*<?(" + ADDRESS + r")>?[ \t]*$"
)
_RECIPIENT_PHRASE = compile_later(_RECIPIENT_PHRASE_PATTERN, re.I | re.M)
# The same pattern, case-sensitive, for the lower-cased notice: re.IGNORECASE tries every
# alternative's folded letters at every position, ~3x slower. Its letters are all lower-case
# ASCII and its classes hold no letter but \w, so where lower-casing keeps each character in
# place and no letter folds to ASCII only under re.IGNORECASE (lazyre.FOLDS_TO_ASCII), its
# matches on the lower-cased text have the spans of re.IGNORECASE's on the text itself.
_RECIPIENT_PHRASE_FOLDED = compile_later(_RECIPIENT_PHRASE_PATTERN, re.M)

# Words that make a notice a delay warning rather than a final failure.
_DELAY = compile_later(
    r"warning message only|not yet been delivered|delivery (?:to the following recipients? )?"
    r"(?:has been |is |was )?delayed|will (?:continue to )?(?:be )?retr(?:y|ied)|"
    r"still trying|no need to resend|do not need to re-?send|temporary failure report|"
    r"is delayed for|delivery attempts will continue|has been delayed|"
    r"delivery status notification \(delay\)",
)


def split_notice(text: str) -> tuple[str, str]:
    """Return ``(notice, original)``: the text before and after the original-copy marker."""
    lower = text.lower()
    # Case-folded search is much faster; offsets only hold when folding kept the length.
    match = _CUT.search(lower) if len(lower) == len(text) else _CUT_ANY_CASE.search(text)
    if not match or (match.start() == 0 and not text[:1].isspace() and _looks_header(text)):
        return text, ""
    line_end = text.find("\n", match.start())
    if match.group(0).lstrip().lower().startswith(("return-path", "received", "dkim", "x-received")):
        return text[: match.start()], text[match.start() :]
    return text[: match.start()], text[line_end + 1 :] if line_end >= 0 else ""


def _looks_header(text: str) -> bool:
    return bool(re.match(r"(?:return-path|received|dkim-signature|x-received):", text, re.I))


def is_delay_notice(text_lower: str) -> bool:
    """True when the (lower-cased) notice says the message is only delayed."""
    return bool(_DELAY.search(text_lower))


def recipient_blocks(notice: str, exclude: set[str]) -> list[tuple[str, str]]:
    """Return ``[(address, block_text), ...]`` in order of first appearance.

    A block is the text from the recipient's line to the next recipient's line (or to the
    next sendmail session, which is not about this line's recipient); the same address seen
    again (MTAs repeat it inside the diagnostic) extends its own block. Sendmail's
    ``550 [5.1.1] <a@b>... User unknown`` lines are the exception: their block is the line
    itself plus the ``>>>``/``<<<`` exchange just above it. A session naming no recipient
    (its reply came after DATA, for the whole message) joins the blocks that quote its
    reply, or the only recipient's. Addresses in ``exclude`` (lower-cased: the sender, the
    notice's own From/To) are never recipients.
    """
    found = [(m.group(1).strip("."), m.start(), m.end()) for m in recipient_lines(notice)]
    found = [f for f in found if f[0].lower() not in exclude]
    if not found and "@" in notice:  # every phrase match holds an address
        found = [f for f in recipient_phrases(notice) if f[0].lower() not in exclude]
    sessions = [m.start() for m in _SESSION.finditer(notice)] if "... while talking to" in notice.lower() else []
    blocks: dict[str, list[str]] = {}
    order: list[str] = []
    for index, (address, line_start, start) in enumerate(found):
        line_end = notice.find("\n", start)
        line_end = len(notice) if line_end < 0 else line_end
        if notice[line_start:start].lstrip()[:1].isdigit():
            line_end = _folded_end(notice, line_end)
            text = "\n".join(_exchange_above(notice, line_start) + [notice[line_start:line_end].strip()])
        else:
            following = found[index + 1][1] if index + 1 < len(found) else len(notice)
            following = min([s for s in sessions if start < s < following] or [following])
            text = notice[start : max(following, start)].lstrip(" \t:")  # "<a@b>: 550 ..."
        key = address.lower()
        if key not in blocks:
            blocks[key] = []
            order.append(address)
        blocks[key].append(text)
    _attach_unnamed_sessions(notice, sessions, [f[1] for f in found], blocks)
    return [(address, "\n".join(blocks[address.lower()])) for address in order]


def _folded_end(notice: str, line_end: int) -> int:
    """Return where a reply line ends once its indented continuation lines (a long reply
    wrapped by the MTA) are taken in; a blank, flush or ``>>>``/``<<<`` line ends it."""
    while line_end < len(notice):
        following = notice.find("\n", line_end + 1)
        following = len(notice) if following < 0 else following
        line = notice[line_end + 1 : following]
        if not line[:1].isspace() or not line.strip() or line.lstrip().startswith((*_SESSION_LINE, "-")):
            return line_end
        line_end = following
    return line_end


def _exchange_above(notice: str, line_start: int) -> list[str]:
    """Return the ``>>>``/``<<<`` lines right above ``line_start`` (sendmail's exchange for it)."""
    lines = notice[:line_start].split("\n")[:-1]
    above: list[str] = []
    while lines and lines[-1].lstrip().startswith(_SESSION_LINE):
        above.insert(0, lines.pop())
    return above


def _attach_unnamed_sessions(notice: str, sessions: list[int], named: list[int], blocks: dict[str, list[str]]) -> None:
    """Add each sendmail session that names no recipient to the blocks quoting its reply."""
    for index, begin in enumerate(sessions):
        end = notice.find("\n\n", begin)
        end = min(e for e in (sessions[index + 1] if index + 1 < len(sessions) else -1, end, len(notice)) if e >= 0)
        if any(begin <= at < end for at in named):
            continue
        session = notice[begin:end]
        replies = [line.lstrip()[3:].strip() for line in session.split("\n") if line.lstrip().startswith("<<<")]
        if not replies:
            continue
        quoted = " ".join(replies[0].split())[:40]
        targets = [key for key, texts in blocks.items() if quoted and quoted in " ".join(" ".join(texts).split())]
        for key in targets or (list(blocks) if len(blocks) == 1 else []):
            blocks[key].append(session)


def recipient_lines(notice: str) -> list[re.Match[str]]:
    """Return the matches of ``_RECIPIENT_LINE`` in ``notice``, as ``finditer`` gives them.

    Each match starts at a line start and ends inside its line with an address, so only
    the lines that hold an ``@`` are tried (a notice is mostly prose and header lines).
    """
    found = []
    at = notice.find("@")
    while at >= 0:
        match = _RECIPIENT_LINE.match(notice, notice.rfind("\n", 0, at) + 1)
        if match:
            found.append(match)
        end = notice.find("\n", at)
        if end < 0:
            break
        at = notice.find("@", end)
    return found


def recipient_phrases(notice: str) -> list[tuple[str, int, int]]:
    """Return ``(address, start, end)`` of each match of ``_RECIPIENT_PHRASE`` in ``notice``,
    as its ``finditer`` gives them (the address stripped of dots at its ends)."""
    lower = notice.lower()
    if len(lower) == len(notice) and (notice.isascii() or FOLDS_TO_ASCII.isdisjoint(notice)):
        found = []
        for m in _RECIPIENT_PHRASE_FOLDED.finditer(lower):
            group = 1 if m.start(1) >= 0 else 2
            found.append((notice[m.start(group) : m.end(group)].strip("."), m.start(), m.end()))
        return found
    return [((m.group(1) or m.group(2)).strip("."), m.start(), m.end()) for m in _RECIPIENT_PHRASE.finditer(notice)]


def addresses_in(text: str) -> list[str]:
    """Return every address-shaped string in ``text``, in order."""
    return _ADDRESS_RE.findall(text)
