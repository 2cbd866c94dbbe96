"""Changes a different sample of the same MTA would plausibly show, none of which may change a reading.

Each perturbation takes a whole message (as ``latin-1`` text, so that every byte survives)
and returns it changed, or unchanged when the message has nothing it applies to. They
edit the raw text in place (no re-serialization by the ``email`` package, which would be
a change of its own): addresses, host names, IPs, dates and ids are replaced consistently
through the whole message; MIME parts are located by a small splitter that keeps every
byte it does not mean to change.
"""

from __future__ import annotations

import hashlib
import itertools
import quopri
import re
from collections.abc import Callable, Iterator

_NL = re.compile(r"\r\n|\n|\r(?!\n)")
_BLANK = re.compile(r"(?:\r\n|\n|\r(?!\n))(?:\r\n|\n|\r(?!\n))")
_FIELD = re.compile(r"^([!-9;-~]+)[ \t]*:", re.M)
_BOUNDARY = re.compile(r'boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))', re.I)
_ADDRESS = re.compile(r"(?<![\w.+=-])([\w.+=-]+)@((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w-])", re.I)
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_HOST = r"(?:[a-z0-9-]+\.)+[a-z]{2,}"
# Where an MTA names the remote host: DSN fields, "host NAME[IP]" (Postfix, Exim), "by NAME."
_REMOTE_HOST = re.compile(
    rf"(?:^(?:Remote|Reporting)-MTA:[ \t]*dns;[ \t]*|\bhost[ \t]+|\bRemote host:?[ \t]+)({_HOST})(?=[\s\[\].;:,>)]|$)",
    re.I | re.M,
)
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DATE = re.compile(
    rf"(?:{_DAY},?[ \t]+)?\d{{1,2}}[ \t]+{_MONTH}[ \t]+\d{{4}}[ \t]+\d\d:\d\d(?::\d\d)?(?:[ \t]+[+-]\d{{4}})?"
)
_MSGID_FIELD = re.compile(r"^((?:X-Original-)?Message-ID|In-Reply-To|References)([ \t]*:[^<]*<)([^>@]+)@", re.I | re.M)
_QUEUE_ID = re.compile(
    r"(?:\bid[ \t]+|^X-Postfix-Queue-ID:[ \t]*|\bqueue[ \t]+id[ \t]+(?:is[ \t]+)?)([A-Za-z0-9]{6,}(?:-[A-Za-z0-9]+)*)",
    re.I | re.M,
)
# Local parts that are roles (RFC 2142 and MTAs' own senders): who wrote the notice, not who it is about.
_ROLE = re.compile(r"daemon|post_?master|mailer|bounce|no-?reply|abuse|root|double-bounce|devnull|nobody", re.I)
# Headers any relay on the way may or may not stamp; none says what happened to the message.
_TRANSIT_X = re.compile(
    r"X-(?:Received|Spam[\w-]*|Virus[\w-]*|Originating[\w-]*|Google[\w-]*|Gm-[\w-]*|Original-To|Apparently-To"
    r"|Proofpoint[\w-]*|CLX[\w-]*|Mantsh|YMailISG|Message-Info|Message-Delivery|SID-[\w-]*|Auth-Result)\Z",
    re.I,
)


def _token(seed: str, length: int, alphabet: str = "abcdefghijkmnpqrstuvwxyz") -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def _replace_all(text: str, mapping: dict[str, str], *, flags: int = re.I, before: str = r"\w-") -> str:
    """Return ``text`` with every key of ``mapping`` (as a whole token) replaced by its value."""
    if not mapping:
        return text
    keys = sorted(mapping, key=len, reverse=True)
    pattern = re.compile(rf"(?<![{before}])(" + "|".join(map(re.escape, keys)) + r")(?![\w-])", flags)
    lower = {k.lower(): v for k, v in mapping.items()}
    return pattern.sub(lambda m: lower.get(m.group(1).lower(), m.group(1)), text)


# --- a tiny MIME splitter that keeps bytes ---------------------------------------------


class Part:
    """A MIME entity as text: ``head`` (with its final newline), separator and ``body``."""

    def __init__(self, text: str) -> None:
        match = _BLANK.search(text)
        if match is None or (_FIELD.match(text) is None and not text.startswith("From ")):
            self.head, self.sep, self.body = "", "", text
        else:
            self.head, self.sep, self.body = text[: match.start()], match.group(), text[match.end() :]
        self.children: list[Part] = []
        self.delims: list[str] = []
        boundary = _BOUNDARY.search(self.field("content-type")) if self.ctype.startswith("multipart/") else None
        if boundary:
            self._split(boundary.group(1) or boundary.group(2))
        elif self.ctype == "message/rfc822" and self.body:
            self.children = [Part(self.body)]

    def field(self, name: str) -> str:
        """Return the unfolded value of the first header field ``name``, or ``""``."""
        match = re.search(rf"^{re.escape(name)}[ \t]*:(.*(?:(?:\r\n|\r|\n)[ \t].*)*)", self.head, re.I | re.M)
        return " ".join(match.group(1).split()) if match else ""

    @property
    def ctype(self) -> str:
        return self.field("content-type").split(";")[0].strip().lower()

    def _split(self, boundary: str) -> None:
        pieces = re.split(rf"((?:^|(?<=\n)|(?<=\r))--{re.escape(boundary)}(?:--)?[ \t]*(?:\r\n|\r|\n|\Z))", self.body)
        if len(pieces) < 3:
            return
        self.preamble = pieces[0]
        self.delims = pieces[1::2]
        self.children = [Part(p) for p in pieces[2::2]]

    def text(self) -> str:
        """Return the entity as text again (unchanged parts byte for byte)."""
        if self.delims:
            inner = self.preamble + "".join(d + c.text() for d, c in zip(self.delims, self.children, strict=True))
            return self.head + self.sep + inner
        if self.ctype == "message/rfc822" and self.children:
            return self.head + self.sep + self.children[0].text()
        return self.head + self.sep + self.body

    def walk(self) -> Iterator[Part]:
        yield self
        for child in self.children:
            yield from child.walk()


def _on_parts(text: str, change: Callable[[Part], bool]) -> str:
    """Return ``text`` after ``change`` edited its parts in place (it returns True when it did)."""
    root = Part(text)
    changed = False
    for part in list(root.walk()):
        changed = change(part) or changed
    return root.text() if changed else text


def _fields(block: str) -> list[str]:
    """Split a header block into fields, each with its continuation lines and newline."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n|\Z)", block)
    fields: list[str] = []
    for line in lines:
        if not line:
            continue
        if fields and line[:1] in " \t":
            fields[-1] += line
        else:
            fields.append(line)
    return fields


def _newline(text: str) -> str:
    match = _NL.search(text)
    return match.group() if match else "\n"


# --- the perturbations ----------------------------------------------------------------


def other_addresses(text: str) -> str:
    """Give every person's address another local part and every domain another name."""
    mapping: dict[str, str] = {}
    domains: dict[str, str] = {}
    # The notice's author (its From and role senders) is the MTA or provider the bounce comes from: kept.
    author = {d.lower() for _, d in _ADDRESS.findall(Part(text).field("from"))}
    for local, domain in _ADDRESS.findall(text):
        if _ROLE.search(local):
            author.add(domain.lower())
            continue
        mapping.setdefault(f"{local}@{domain}".lower(), f"{_token(local, 4)}.{_token(domain + local, 5)}+n7@{domain}")
        domains.setdefault(domain.lower(), f"{_token(domain, 6)}.example.org")
    text = _replace_all(text, mapping)
    # Domains of the people's addresses, everywhere (host names under them follow).
    people = {d: v for d, v in domains.items() if d not in author and not _provider_domain(d)}
    return _replace_all(text, people)


def _provider_domain(domain: str) -> bool:
    """True for a mailbox provider's own domain: its name is part of what the bounce says."""
    return bool(
        re.search(
            r"(?:^|\.)(?:g(?:oogle)?mail|google|yahoo|ymail|aol|hotmail|outlook|live|msn|icloud|me|mac|mail\.ru"
            r"|ezweb|au|docomo|softbank|i\.softbank|verizon|cox|orange|wanadoo|free|laposte|comcast|att|gmx|web"
            r"|amazonses|amazon|zoho|apple)\.",
            domain + ".",
            re.I,
        )
    )


def other_remote_host(text: str) -> str:
    """Rename the remote / reporting hosts (first label; their organization stays) and every IPv4."""
    hosts: dict[str, str] = {}
    for host in _REMOTE_HOST.findall(text):
        first, _, rest = host.partition(".")
        if rest.count(".") >= 1 or (rest and first.lower() not in ("mx", "mail", "smtp")):
            hosts.setdefault(host.lower(), f"{_token(host, 5)}{len(hosts)}.{rest}")
    text = _replace_all(text, hosts)

    def ip(match: re.Match[str]) -> str:
        octets = [int(o) for o in match.groups()]
        if any(o > 255 for o in octets) or octets[0] in (0, 127) or octets[:2] == [255, 255]:
            return match.group()
        return f"198.51.100.{(sum(octets) * 7) % 250 + 2}"

    return _IPV4.sub(ip, text)


def other_dates_and_ids(text: str) -> str:
    """Move every date, and give message-ids and queue ids other values."""
    text = _DATE.sub("Tue, 4 Mar 2025 17:08:41 +0100", text)
    ids: dict[str, str] = {}
    for token in _QUEUE_ID.findall(text):
        if re.search(r"\d", token) and not re.fullmatch(r"\d{3}", token):
            ids.setdefault(token, _token(token, len(token), "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
    text = _replace_all(text, ids, flags=0, before=r"\w")  # MIME boundaries often hold the queue id
    msgids: dict[str, str] = {}
    for _, _, local in _MSGID_FIELD.findall(text):
        msgids.setdefault(f"<{local}@", f"<{_token(local, max(len(local), 8), 'abcdefghijkmnpqrstuvwxyz0123456789')}@")
    for old, new in msgids.items():
        text = text.replace(old, new)
    return text


def _hanging_indent(paragraph: list[str]) -> str | None:
    """Return the indent of a prose paragraph (``""`` flush, or a hanging indent), or None for other text.

    Flush prose is the MTA's own sentences; a hanging indent is how Postfix and sendmail fold a
    recipient's line and the remote server's reply. Transcripts, tables and fields are left alone.
    """
    if len(paragraph) < 2:
        return None
    lead = re.match(r"[ \t]*", paragraph[0]).group()  # type: ignore[union-attr]
    if not re.match(r"[<\w\"(]", paragraph[0][len(lead) :]):
        return None
    indent = re.match(r"[ \t]*", paragraph[1]).group()  # type: ignore[union-attr]
    if lead and lead != indent:
        return None  # an indented paragraph (Exim's) is prose only when all its lines share the indent
    for index, line in enumerate(paragraph):
        if index and (not line.startswith(indent) or line[len(indent) : len(indent) + 1] in (" ", "\t")):
            return None
        if re.search(r"<<<|>>>|\S[ \t]{3,}\S|\||^-|^[\w-]+:\s", line.strip()):
            return None
    if lead == indent and sum(len(line) for line in paragraph) / len(paragraph) < 40:
        return None
    if any(ord(char) > 126 for line in paragraph for char in line):
        return None  # multibyte text read as latin-1: not split at spaces by its MTA
    if sum(bool(re.match(r"[ \t]*<?[\w.+=-]+@", line)) for line in paragraph) > 1:
        return None  # one recipient per line: a list, not a sentence
    if lead == indent and any(re.match(r"[ \t]*[2-5]\d\d[ -]", line) for line in paragraph[1:]):
        return None  # the remote server's reply quoted on a line of its own (DragonFly's dma)
    # Filled text: each break is there because the next word did not fit (else the break means something).
    width = max(len(line) for line in paragraph)
    for line, following in itertools.pairwise(paragraph):
        if len(line) + 1 + len(following.split()[0]) <= 0.85 * width:
            return None
    return indent


def _wrap_long_lines(paragraph: list[str], width: int) -> list[str]:
    """Fold the lines longer than ``width`` at a hanging indent, as Postfix folds a long reply.

    Transcripts (``>>>``/``<<<``), tables and multibyte text are left alone: no MTA folds those.
    """
    if any(re.search(r"<<<|>>>|\S[ \t]{3,}\S|\||^[ \t]*-", line) or not line.isascii() for line in paragraph):
        return paragraph
    out: list[str] = []
    for line in paragraph:
        lead = line[: len(line) - len(line.lstrip())]
        if len(line) <= width or not re.match(r"[<\w\"(]", line[len(lead) :]):
            out.append(line)
            continue
        folded = lead
        for word in line.split():
            if folded.strip() and len(folded) + 1 + len(word) > width:
                out.append(folded)
                folded = f"{lead}    {word}"
            else:
                folded = f"{folded} {word}" if folded.strip() else folded + word
        out.append(folded)
    return out


def _rewrap(body: str, width: int, *, long_lines: bool = False) -> str:
    newline = _newline(body)
    lines = _NL.split(body)
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        indent = _hanging_indent(paragraph)
        if indent is not None:
            line = paragraph[0][: len(paragraph[0]) - len(paragraph[0].lstrip())]
            for word in " ".join(paragraph).replace("\t", " ").split(" "):
                if not word:
                    continue
                if line.strip() and len(line) + 1 + len(word) > width:
                    out.append(line)
                    line = indent + word
                else:
                    line = f"{line} {word}" if line.strip() else line + word
            out.append(line)
        else:
            out.extend(_wrap_long_lines(paragraph, width) if long_lines else paragraph)
        paragraph.clear()

    for line in lines:
        if line.strip():
            paragraph.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return newline.join(out)


def _notice_text(root: Part) -> Part | None:
    """The notice's own text: the message's body, or a report's / mixed message's first text part."""
    first = root
    while first.delims:
        first = first.children[0]
    return first if first.ctype in ("text/plain", "") and not first.children else None


def _unencoded(part: Part | None) -> list[Part]:
    encoding = part.field("content-transfer-encoding").lower() if part else "base64"
    return [part] if part and encoding in ("", "7bit", "8bit") else []


def rewrapped(width: int, *, long_lines: bool = False) -> Callable[[str], str]:
    """Return a perturbation re-wrapping the notice's prose paragraphs at ``width``
    (with ``long_lines``, also folding its other lines longer than ``width``)."""

    def perturb(text: str) -> str:
        root = Part(text)
        changed = False
        for part in _unencoded(_notice_text(root)):
            body = _rewrap(part.body, width, long_lines=long_lines)
            changed = changed or body != part.body
            part.body = body
        return root.text() if changed else text

    perturb.__name__ = f"rewrapped_at_{width}"
    return perturb


def recipient_fields_reordered(text: str) -> str:
    """Reverse the order of the fields in each per-recipient block of a delivery-status part."""

    def change(part: Part) -> bool:
        if part.ctype not in ("message/delivery-status", "message/global-delivery-status"):
            return False
        blocks = re.split(r"((?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n))", part.body)
        newline = _newline(part.body)
        for index in range(2, len(blocks), 2):
            fields = _fields(blocks[index])
            if len(fields) > 1:
                tail = "" if fields[-1].endswith(("\n", "\r")) else newline
                fields[-1] += tail
                reordered = "".join(reversed(fields))
                blocks[index] = reordered[: len(reordered) - len(tail)] if tail else reordered
        body = "".join(blocks)
        changed = body != part.body
        part.body = body
        return changed

    return _on_parts(text, change)


def extra_x_header(text: str) -> str:
    """Add an ``X-`` header a filter on the way might stamp."""
    root = Part(text)
    if not root.head:
        return text
    newline = _newline(root.head)
    root.head += f"{newline}X-Perturbed-Scan: clean; scanned by av1.example.net"
    return root.text()


def missing_transit_x_headers(text: str) -> str:
    """Drop the ``X-`` headers relays and filters stamp on the way (none says what happened)."""
    root = Part(text)
    fields = _fields(root.head)
    kept = [f for f in fields if not _TRANSIT_X.match(f.split(":", 1)[0].strip())]
    if len(kept) == len(fields):
        return text
    head = "".join(kept)
    root.head = head.rstrip("\r\n") if not root.head.endswith(("\n", "\r")) else head
    return root.text()


def without_arrival_fields(text: str) -> str:
    """Drop ``Arrival-Date`` and ``Received-From-MTA`` (both optional, RFC 3464 2.2)."""

    def change(part: Part) -> bool:
        if part.ctype not in ("message/delivery-status", "message/global-delivery-status"):
            return False
        body = re.sub(
            r"^(?:Arrival-Date|Received-From-MTA)[ \t]*:.*(?:\r\n|\r|\n)(?:[ \t].*(?:\r\n|\r|\n))*",
            "",
            part.body,
            flags=re.I | re.M,
        )
        changed = body != part.body
        part.body = body
        return changed

    return _on_parts(text, change)


def quoted_printable(text: str) -> str:
    """Send the notice's text part quoted-printable instead of 7bit / 8bit (or back)."""

    def change(part: Part) -> bool:
        if part.children or part.ctype not in ("text/plain", "") or not part.head:
            return False
        encoding = part.field("content-transfer-encoding").lower()
        newline = _newline(part.head)
        if encoding in ("", "7bit", "8bit"):
            raw = part.body.replace("\r\n", "\n").replace("\r", "\n").encode("latin-1")
            body = quopri.encodestring(raw).decode("latin-1").replace("\n", newline)
            value = "quoted-printable"
        elif encoding == "quoted-printable":
            raw = part.body.replace("\r\n", "\n").replace("\r", "\n").encode("latin-1")
            body = quopri.decodestring(raw).decode("latin-1").replace("\n", newline)
            value = "8bit"
        else:
            return False
        head = re.sub(
            r"^Content-Transfer-Encoding[ \t]*:.*", f"Content-Transfer-Encoding: {value}", part.head, flags=re.I | re.M
        )
        if head == part.head:
            head += f"{newline}Content-Transfer-Encoding: {value}"
        part.head, part.body = head, body
        return True

    root = Part(text)
    notice = _notice_text(root)
    return root.text() if notice and change(notice) else text


# Where a plain-text notice (sendmail, Exim, qmail, ...) starts the returned message.
_RETURNED_MARK = re.compile(
    r"^[ \t-]*(?:this is a copy of the message|original message follows|below this line is a copy of the message"
    r"|--- ?below this line is a copy|here is a copy of the first part|the original message)[^\r\n]*$",
    re.I | re.M,
)


def returned_headers_only(text: str) -> str:
    """Return only the original message's headers (RET=HDRS) where the full message came back."""

    def change(part: Part) -> bool:
        if (
            not part.ctype.startswith("multipart/")
            or len(part.children) < 2
            or part.children[0].ctype == "message/rfc822"
        ):
            return False
        returned = part.children[-1]
        if returned.ctype != "message/rfc822" or not returned.children:
            return False
        inner = returned.children[0]
        if not inner.head or inner.ctype == "multipart/report":
            return False  # a bounce forwarded as an attachment: its body is the notice
        returned.head = re.sub(r"message/rfc822", "text/rfc822-headers", returned.head, count=1, flags=re.I)
        returned.body = inner.head + _newline(inner.head)
        returned.children = []
        return True

    root = Part(text)
    if root.children or root.ctype not in ("text/plain", ""):
        return _on_parts(text, change)
    mark = _RETURNED_MARK.search(root.body)
    if mark is None:
        return text
    rest = root.body[mark.end() :]
    start = len(rest) - len(rest.lstrip("\r\n"))
    inner = Part(rest[start:])
    if not inner.head or not inner.body.strip():
        return text
    root.body = root.body[: mark.end()] + rest[:start] + inner.head + inner.sep
    return root.text()


PERTURBATIONS: dict[str, Callable[[str], str]] = {
    "addresses": other_addresses,
    "remote_host": other_remote_host,
    "dates_ids": other_dates_and_ids,
    "rewrap_40": rewrapped(40),
    "rewrap_60": rewrapped(60),
    "rewrap_100": rewrapped(100),
    "long_lines_76": rewrapped(76, long_lines=True),
    "dsn_field_order": recipient_fields_reordered,
    "extra_x_header": extra_x_header,
    "missing_x_headers": missing_transit_x_headers,
    "no_arrival_fields": without_arrival_fields,
    "quoted_printable": quoted_printable,
    "headers_only": returned_headers_only,
}


def all_at_once(text: str) -> str:
    """Apply every other perturbation in turn, as a sample differing in all its incidentals would."""
    for perturb in list(PERTURBATIONS.values()):
        if perturb is not all_at_once:
            text = perturb(text)
    return text


PERTURBATIONS["all_at_once"] = all_at_once
