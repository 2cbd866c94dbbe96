"""A small, forgiving MIME reader: headers, parts and decoded text, within fixed bounds.

The stdlib ``email`` package is correct but slow for our volume and recursive without a
limit; bounces only need headers, the part tree and a few decoded text parts. This reader
works on the message decoded as Latin-1 (one char per byte, so nothing is ever lost and
the original bytes come back with ``.encode("latin-1")``), after every newline has been
turned into ``\\n``. It never raises on malformed input: a part it cannot split stays a
leaf, a body it cannot decode comes back as best-effort text.
"""

from __future__ import annotations

import binascii
import codecs
import re

from .lazyre import compile_later

MAX_DEPTH = 24  # nesting deeper than this is kept as an opaque leaf
MAX_PARTS = 256  # parts beyond this (per message) are ignored
MAX_TEXT = 256 * 1024  # characters of one part decoded for analysis
MAX_HEADER_BLOCK = 256 * 1024

_PARAM = compile_later(r';\s*([\w!#$%&\'*+.^`|~-]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;\s]*)')
_ENCODED_WORD = compile_later(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_ENCODED_GAP = compile_later(r"(\?=)\s+(=\?)")
_FOLD = compile_later(r"\n[ \t]+")  # a continuation line: unfold it into the previous one

# Charset labels seen in the wild that Python spells differently or that lie.
_CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "unknown-8bit": "utf-8",
    "x-unknown": "utf-8",
    "utf8": "utf-8",
}


def normalize_newlines(raw: bytes) -> bytes:
    """Return ``raw`` with CRLF and bare CR newlines turned into LF."""
    if b"\r" not in raw:
        return raw
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def parse_params(value: str) -> tuple[str, dict[str, str]]:
    """Return the lower-cased value before ``;`` and its parameters (names lower-cased)."""
    head, _, _ = value.partition(";")
    params = {}
    for name, val in _PARAM.findall(value):
        if val.startswith('"'):
            val = val[1:-1] if val.endswith('"') and len(val) > 1 else val[1:]
            val = val.replace('\\"', '"')
        params[name.lower()] = val
    return head.strip().lower(), params


def parse_headers(block: str) -> dict[str, list[str]]:
    """Return ``{lower-case name: [unfolded values...]}`` for a header block.

    Lines that are neither ``Name: value`` nor continuations (an mbox ``From `` line,
    garbage) are skipped, so a broken header never hides the rest.
    """
    headers: dict[str, list[str]] = {}
    block = block[:MAX_HEADER_BLOCK]
    if "\n " in block or "\n\t" in block:  # most part and report headers have no fold: no regex pass
        block = _FOLD.sub(" ", block)
    for line in block.split("\n"):
        name, sep, value = line.partition(":")
        if sep and name and len(name) < 77 and " " not in name and "\t" not in name:
            key = name.lower()
            if key in headers:
                headers[key].append(value.strip())
            else:
                headers[key] = [value.strip()]
    return headers


def first_header(headers: dict[str, list[str]], name: str) -> str:
    """Return the first value of the (lower-cased) header ``name`` in ``headers``, or ``""``."""
    values = headers.get(name)
    return values[0] if values else ""


def split_head_body(text: str) -> tuple[str, str]:
    """Split a message at its first empty line; no empty line means no body."""
    if text.startswith("\n"):
        return "", text[1:]
    end = text.find("\n\n")
    if end < 0:
        return text, ""
    return text[:end], text[end + 2 :]


def looks_like_header_block(text: str) -> bool:
    """True when the text starts with something shaped like an RFC 5322 header."""
    line = text[:200].lstrip("\n").split("\n", 1)[0]
    if line.startswith("From "):
        return True
    name, sep, _ = line.partition(":")
    return bool(sep) and bool(name) and " " not in name and len(name) < 77


class Part:
    """One MIME entity: headers, content type, raw (still encoded) body and children."""

    __slots__ = ("body", "children", "ctype", "depth", "headers", "params")

    def __init__(self, headers: dict[str, list[str]], body: str, depth: int) -> None:
        self.headers = headers
        ctype = headers.get("content-type")
        self.ctype, self.params = parse_params(ctype[0]) if ctype else ("text/plain", {})
        if "/" not in self.ctype:
            self.ctype = "text/plain"
        self.body = body
        self.children: list[Part] = []
        self.depth = depth

    def header(self, name: str, default: str = "") -> str:
        """Return the first value of a header (name lower-case), or ``default``."""
        values = self.headers.get(name)
        return values[0] if values else default

    def text(self, limit: int = MAX_TEXT) -> str:
        """Return the body decoded (transfer encoding, then charset) as text."""
        return decode_text(self.body, self.header("content-transfer-encoding"), self.params.get("charset", ""), limit)


def parse_message(text: str, depth: int = 0, budget: list[int] | None = None) -> Part:
    """Parse a whole message (``\\n`` newlines, Latin-1 text) into a Part tree."""
    budget = budget if budget is not None else [MAX_PARTS]
    if text.startswith("From "):  # mbox separator line left on a single message
        text = text.partition("\n")[2]
    if looks_like_header_block(text):
        head, body = split_head_body(text)
    else:
        head, body = "", text
    part = Part(parse_headers(head), body, depth)
    _expand(part, budget)
    return part


def _expand(part: Part, budget: list[int]) -> None:
    """Fill ``part.children`` for multipart and message/* parts, within the bounds."""
    if part.depth >= MAX_DEPTH or budget[0] <= 0:
        return
    if part.ctype.startswith("multipart/"):
        boundary = part.params.get("boundary", "")
        for chunk in split_multipart(part.body, boundary) if boundary else ():
            if budget[0] <= 0:
                break
            budget[0] -= 1
            head, body = split_head_body(chunk)
            child = Part(parse_headers(head), body, part.depth + 1)
            _expand(child, budget)
            part.children.append(child)
    elif part.ctype in ("message/rfc822", "message/global"):
        # Only the returned message's headers matter here; its body is parsed again,
        # as a message of its own, in the rare case it is itself a bounce.
        budget[0] -= 1
        body = part.body
        if "base64" in part.header("content-transfer-encoding").lower():
            body = decode_bytes(body, "base64").decode("latin-1")
            part.body = body
        head = split_head_body(body)[0] if looks_like_header_block(body) else ""
        part.children.append(Part(parse_headers(head), "", part.depth + 1))


def split_multipart(body: str, boundary: str) -> list[str]:
    """Return the body parts between ``--boundary`` lines (the preamble is dropped).

    A boundary that is a prefix of another (``abc`` and ``abc-1``) is told apart by
    requiring the rest of the delimiter line to be empty, ``--`` or white space. A
    missing close delimiter just ends the last part at the end of the body.
    """
    delim = "\n--" + boundary
    pieces = ("\n" + body).split(delim)
    parts: list[str] = []
    current: str | None = None
    for piece in pieces[1:]:
        line, _, rest = piece.partition("\n")
        if line.startswith("--") and not line[2:].strip():
            if current is not None:
                parts.append(current)
            return parts
        if line.strip():  # "--boundary-more": part of the previous part's text
            if current is not None:
                current += delim + piece
            continue
        if current is not None:
            parts.append(current)
        current = rest
    if current is not None:
        parts.append(current)
    return parts


def decode_bytes(body: str, cte: str) -> bytes:
    """Undo a content-transfer-encoding on a Latin-1 body; never raises."""
    data = body.encode("latin-1", "replace")
    cte = cte.lower()
    if "base64" in cte:
        compact = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
        compact = compact[: len(compact) - len(compact) % 4]
        try:
            return binascii.a2b_base64(compact)
        except (binascii.Error, ValueError):
            return data
    if "quoted-printable" in cte:
        return binascii.a2b_qp(data)
    return data


def decode_charset(data: bytes, charset: str) -> str:
    """Decode bytes with a declared charset, falling back to UTF-8 then Windows-1252."""
    if data.isascii() and b"\x1b" not in data:  # ISO-2022-JP is 7-bit too
        return data.decode("ascii")
    charset = (charset or "").strip().strip('"').lower()
    if not charset and b"\x1b$" in data:
        charset = "iso-2022-jp"
    charset = _CHARSET_ALIASES.get(charset, charset)
    if charset and charset != "utf-8":
        try:
            codecs.lookup(charset)
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError, ValueError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def decode_text(body: str, cte: str, charset: str, limit: int = MAX_TEXT) -> str:
    """Return a part's body as text: transfer decoding, then charset, capped at ``limit``."""
    if not cte and body.isascii() and "\x1b" not in body:
        return body[:limit]
    raw = decode_bytes(body[: limit * 2] if "base64" not in cte.lower() else body[: limit * 4 // 3 + 4], cte)
    return decode_charset(raw[:limit], charset)


def decode_header_value(value: str) -> str:
    """Decode RFC 2047 encoded words (``=?charset?B?...?=``) in a Latin-1 header value."""
    if "=?" not in value:
        if value.isascii():
            return value
        return decode_charset(value.encode("latin-1", "replace"), "")
    value = _ENCODED_GAP.sub(r"\1\2", value)
    return _ENCODED_WORD.sub(_decode_word, value)


def _decode_word(match: re.Match[str]) -> str:
    charset, enc, payload = match.groups()
    if enc in "bB":
        data = decode_bytes(payload, "base64")
    else:
        data = binascii.a2b_qp(payload.replace("_", " ").encode("latin-1", "replace"))
    return decode_charset(data, charset.partition("*")[0])
