"""The classification pipeline: bytes in, :class:`Result` out, never an exception.

Steps: normalize newlines and parse the MIME tree (``mime``); gather the parts a
bounce is made of (notice text, delivery-status, feedback report, returned headers);
decide the kind (ARF complaint, RFC 3464 DSN, auto-reply, human-readable bounce,
unsubscribe request, or not a bounce); build one Recipient per address with codes,
diagnostic and reason (``reasons``); find the original Message-ID and our send token.
"""

from __future__ import annotations

from . import budget, kinds
from .htmltext import html_to_text
from .mime import Part, normalize_newlines, parse_headers, parse_message
from .result import KIND_NOT_BOUNCE, Result

MAX_EMBEDDED = 2  # how deep a bounce inside a forwarded/attached message is looked for


class Gathered:
    """The parts of a message a classifier looks at, collected in one walk."""

    __slots__ = (
        "arf",
        "attached",
        "dsn",
        "embedded",
        "forwarded",
        "htmls",
        "original",
        "original_text",
        "texts",
        "top",
    )

    def __init__(self, top: dict[str, list[str]]) -> None:
        self.top = top
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.dsn: list[str] = []
        self.arf: list[str] = []
        self.original: dict[str, list[str]] = {}
        self.original_text = ""
        self.forwarded = ""  # a message a person forwarded inside the text
        self.embedded = ""  # a copy of a message inline in the notice text
        self.attached = ""  # the first attached message/rfc822, as text

    def notice(self) -> str:
        """Return the human-readable notice: the plain-text parts, else the HTML as text."""
        text = "\n".join(t for t in self.texts if t.strip())
        if text.strip():
            return text
        return "\n".join(html_to_text(h) for h in self.htmls)


def gather(root: Part) -> Gathered:
    """Walk the tree once, sorting leaves into notice, DSN, ARF and original parts."""
    found = Gathered(root.headers)
    _visit(root, found)
    return found


def _visit(part: Part, found: Gathered) -> None:
    budget.check()
    ctype = part.ctype
    if ctype.startswith("multipart/"):
        if not part.children:  # unsplittable multipart: read it as text
            found.texts.append(part.text())
        for child in part.children:
            _visit(child, found)
    elif ctype in ("message/rfc822", "message/global"):
        if part.children and not found.original:
            inner = part.children[0]
            found.original = inner.headers
            found.original_text = part.body[:65536]
            found.attached = part.body
    elif ctype in ("message/delivery-status", "message/global-delivery-status"):
        found.dsn.append(part.text(len(part.body)))  # the whole report: every recipient counts
    elif ctype == "message/feedback-report":
        found.arf.append(part.text())
    elif ctype in ("text/rfc822-headers", "text/rfc822-header", "message/rfc822-headers", "message/global-headers"):
        text = part.text()
        if not found.original:
            found.original = parse_headers(text)
            found.original_text = text[:65536]
    elif ctype == "text/html":
        found.htmls.append(part.text())
    elif ctype.startswith("text/") and (
        part.depth == 0 or "attachment" not in part.header("content-disposition").lower()
    ):
        found.texts.append(part.text())


def classify(raw: bytes, *, bounce_domain: str = "", time_budget: float | None = None) -> Result:
    """Return what ``raw`` is (a bounce or not, of which kind, about whom). Never raises.

    ``bounce_domain``, when given, restricts token extraction from Message-IDs to
    ``<TOKEN@bounce_domain>``. Input that is not a message comes back with
    ``is_bounce`` false and ``error`` set. An exception inside the classifier is a bug:
    it comes back as ``error="internal: ..."`` (tests fail on it), never as an answer.
    With ``time_budget`` (seconds), a message still not read when it runs out comes back
    with ``error="too complex: ..."`` (see ``budget``).
    """
    token = budget.start(time_budget)
    try:
        return _classify(raw, bounce_domain)
    except budget.TooComplex:
        return Result(error=f"{budget.TOO_COMPLEX}: not read within {time_budget} s")
    except Exception as exc:  # the contract says never raise; but this is a bug, and says so
        return Result(error=f"internal: {type(exc).__name__}: {exc}"[:300])
    finally:
        budget.stop(token)


def _classify(raw: bytes | bytearray | memoryview | str, bounce_domain: str) -> Result:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    raw = bytes(raw)
    if not raw.strip():
        return Result(error="empty input")
    return _classify_text(normalize_newlines(raw).decode("latin-1"), bounce_domain, 0)


def _says_nothing(result: Result) -> bool:
    """True for a bounce (or a delay notice) whose recipients carry no status and no diagnostic at all."""
    return result.reports() and all(not r.status and not r.diagnostic for r in result.recipients)


def _classify_text(text: str, bounce_domain: str, depth: int) -> Result:
    """Classify one message given as ``\n``-newline Latin-1 text.

    A message that is no bounce itself but carries one (forwarded by a person, or
    wrapped by a relay that re-bounced it) is classified by the one it carries.
    """
    budget.check()
    root = parse_message(text)
    if not root.headers:
        return Result(error="no message headers found")
    found = gather(root)
    result = kinds.build(found)
    if depth < MAX_EMBEDDED:
        # A forwarded bounce is read first; an inline or attached copy only when the
        # outer message said nothing.
        inner_texts = [found.forwarded] if found.forwarded else []
        if result.kind == KIND_NOT_BOUNCE or _says_nothing(result):
            inner_texts += [found.embedded, found.attached]
        for inner in inner_texts:
            if inner:
                inner_result = _classify_text(inner, bounce_domain, depth + 1)
                if inner_result.reports():
                    return inner_result
    kinds.attach_ids(result, found, bounce_domain)
    return result
