"""Put a vendor reply inside a lab MTA's own notice, written the way that MTA writes replies.

A lab fixture (tests/fixtures/mta_dsns/<mta>/) is a template: ``truth.json``'s ``told`` says what
the remote answered each recipient (sent as ``replies.smtp_reply`` lines), and :func:`occurrences`
finds every place the MTA quoted it: folded over indented lines (Postfix), on one line, broken
after ": " (Exim's body), cut in the middle (sendmail's "(reason: …)"), a multi-line reply's
lines joined by a space with their codes (Postfix) or without (OpenSMTPD), on lines of their own
(Exim), as "<<<" lines (sendmail's transcript) or only its first line (sendmail's fields).
:func:`rewrap` writes another reply in each place the same way, and the recipient's ``Status:``
as the MTA derives it (:func:`status_rule`). Rewriting a template with its own reply gives the
MTA's notice byte for byte (a test checks it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace

from bounceportal.classifier import classify
from bounceportal.classifier.result import Recipient
from bounceportal.classifier.score import in_part
from bounceportal.classifier.smtpreply import classify_smtp_reply
from bounceportal.classifier.taxonomy import categorize
from scripts.mta_lab.plan import expected_notices, scripted_reply
from scripts.mta_lab.replies import slot_kind, smtp_reply
from tests.classifier.mta_scoring import FIXTURES, truth_for

FOLD_MAX = 80  # a paragraph broken into lines no longer than this was folded for width (RFC 5322: 78)
_PREFIX = re.compile(r"[245]\d\d[- ](?:[245]\.\d{1,3}\.\d{1,3} )?")


@dataclass
class Spot:
    """Where the MTA quoted the reply: ``text[start:end]``, and how it wrote it there."""

    start: int
    end: int
    lines: int = 1  # how many of the reply's lines the MTA quoted here (sendmail's fields: the first)
    joins: tuple[tuple[str, bool], ...] = ()  # between reply lines: the text put there, code kept?
    fold: tuple[int, str] | None = None  # (line width, continuation indent) of a folded paragraph
    cut: tuple[int, int] | None = None  # (head, tail) characters kept around "..."
    colon: str = ""  # Exim's body: the indent of a line broken after ": "


@dataclass(frozen=True)
class Position:
    """One recipient of one template notice whose reply may be replaced."""

    mta: str
    name: str
    address: str
    notice: str  # failed / delayed / expired
    family: str  # R5 / D5 / R4 / D4
    code: str
    lines: tuple[str, ...]  # the reply's lines as the remote sent them: "550-5.7.0 text", "550 5.7.0 text"
    status: str  # the Status the MTA wrote
    told_enhanced: str
    vendor_id: str


def lines_of(told: dict) -> tuple[str, ...]:
    """Return the lines the lab's remote sends for a reply (replies.smtp_reply: wrapped at 280)."""
    return tuple(smtp_reply(told["code"], told.get("enhanced"), told["text"]).split("\r\n"))


def _words(text: str) -> str:
    return r"\s+".join(map(re.escape, text.split()))


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the bounds of the whole lines holding ``text[start:end]``."""
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1


def _pattern(lines: tuple[str, ...]) -> str:
    """Return a regex for the reply's lines as an MTA may quote them: whitespace refolded, each later
    line after a newline, a space or "<<< ", its code kept or dropped, and only the first line at least."""
    pattern = ""
    for i in range(len(lines) - 1, 0, -1):
        prefix = _PREFIX.match(lines[i])
        code = _words(prefix.group()) + r"\s+" if prefix else ""
        body = lines[i][prefix.end() :] if prefix else lines[i]
        pattern = rf"(?:(?P<j{i}>\s+(?:<<<[ \t]+)?)(?P<c{i}>{code})?{_words(body)}{pattern})?"
    return r"(?<!\S)" + _words(lines[0]) + pattern


def occurrences(text: str, lines: tuple[str, ...]) -> list[Spot]:
    """Return each place the reply appears in ``text``: whole (maybe folded), or cut around "..."."""
    spots = []
    for m in re.finditer(_pattern(lines), text):
        quoted = 1 + sum(1 for i in range(1, len(lines)) if m.group(f"j{i}") is not None)
        joins = tuple((m.group(f"j{i}"), m.group(f"c{i}") is not None) for i in range(1, quoted))
        lo, hi = _paragraph(text, m.start(), m.end())
        region = text[lo:hi].split("\n")
        fold = colon = None
        # A reply broken only after colons was broken by Exim's rule, not folded, however short its lines.
        only_after_colons = set(re.findall(r"(.)\n[ \t]", m.group())) == {":"}
        if len(region) > 1 and max(len(line) for line in region) <= FOLD_MAX and not only_after_colons:
            fold = (max(len(line) for line in region), region[1][: len(region[1]) - len(region[1].lstrip())])
        elif re.search(r":\n[ \t]", m.group()):
            colon = re.search(r":\n([ \t]+)", m.group())
        spots.append(Spot(m.start(), m.end(), quoted, joins, fold, colon=colon.group(1) if colon else ""))
    first = lines[0]
    for m in re.finditer(r"(?<!\S)" + re.escape(first[:20]) + r"[^\n]*?\.\.\.", text):
        cut_head = m.group()[:-3]
        if not first.startswith(cut_head) or any(s.start == m.start() for s in spots):
            continue
        after = text[m.end() : text.find("\n", m.end())]
        tail = max((b for b in range(1, len(after) + 1) if first.endswith(after[:b])), default=0)
        if tail:
            spots.append(Spot(m.start(), m.end() + tail, cut=(len(cut_head), tail)))
    return spots


def _refold(line_start: str, words: list[str], rest: str, width: int, indent: str) -> str:
    """Return the paragraph ``line_start`` + words + ``rest`` folded at ``width`` as the MTA does."""
    out = [line_start.rstrip()] if line_start.strip() else []
    lead = line_start[: len(line_start) - len(line_start.lstrip())]
    for word in words + rest.split():
        if not out:
            out.append(lead + word)
        elif len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(indent + word)
    return "\n".join(out)


def _colon_breaks(line: str, indent: str) -> str:
    """Exim's body: a line is broken after ": " once more than 45 characters were written on it."""
    out, count = [], 1
    for i, char in enumerate(line):
        out.append(char)
        count += 1
        if char == ":" and line[i + 1 : i + 2] == " " and count > 45:
            out.append("\n" + indent[:-1])
            count = 0
    return "".join(out)


def _one_line(lines: tuple[str, ...]) -> str:
    """Return a multi-line reply as one line: the first line's code, then every line's text."""
    prefix = _PREFIX.match(lines[0])
    code = prefix.group().replace("-", " ", 1) if prefix else ""
    return code + " ".join(line[m.end() :] if (m := _PREFIX.match(line)) else line for line in lines)


def _render(spot: Spot, new: tuple[str, ...], old_lines: int) -> str:
    """Return the new reply's lines written as the MTA wrote the old one at ``spot``.

    Where the old reply had one line, how the MTA joins lines there is not known: the new one is
    written as a remote may also send it, on one line (RFC 5321 allows 512 octets).
    """

    def line_out(line: str) -> str:
        return _colon_breaks(line, spot.colon) if spot.colon else line

    if spot.lines == 1:
        return line_out(_one_line(new) if old_lines == 1 else new[0])
    out = [line_out(new[0])]
    for i, line in enumerate(new[1:]):
        join, code_kept = spot.joins[min(i, len(spot.joins) - 1)]
        prefix = _PREFIX.match(line)
        out.append(join + line_out(line if code_kept or not prefix else line[prefix.end() :]))
    return "".join(out)


def rewrap(text: str, old: tuple[str, ...], new: tuple[str, ...], fold: tuple[int, str] | None = None) -> str | None:
    """Return ``text`` with every quotation of reply ``old`` replaced by ``new`` in the MTA's way.

    ``fold`` is the MTA's (width, indent) where it folds paragraphs (:func:`fold_of`): a reply it
    quoted on one line because it was short is folded there when the new one is longer. None when
    the reply is not found.
    """
    spots = occurrences(text, old)
    if not spots:
        return None
    for spot in sorted(spots, key=lambda s: s.start, reverse=True):
        lo, hi = _paragraph(text, spot.start, spot.end)
        if spot.cut:
            head, tail = spot.cut
            first = new[0]
            short = first if len(first) <= head + 3 + tail else first[:head] + "..." + first[-tail:]
            text = text[: spot.start] + short + text[spot.end :]
            continue
        written = _render(spot, new, len(old))
        if fold and (spot.fold or hi - lo - (spot.end - spot.start) + len(written) > fold[0]):
            width, indent = fold
            folded = _refold(text[lo : spot.start], written.split(), text[spot.end : hi], width, indent)
            text = text[:lo] + folded + text[hi:]
        else:
            text = text[: spot.start] + written + text[spot.end :]
    return text


def fold_of(mta: str) -> tuple[int, str] | None:
    """Return (line width, continuation indent) where ``mta`` folds the replies it quotes, or None."""
    folds = [spot.fold for pos in positions(mta) for spot in occurrences(template(pos), pos.lines) if spot.fold]
    return (max(w for w, _ in folds), folds[0][1]) if folds else None


def template(pos: Position) -> str:
    """Return the text of ``pos``'s notice with LF newlines."""
    return (FIXTURES / pos.mta / pos.name).read_bytes().decode("ascii").replace("\r\n", "\n")


def set_aside_ids(mta: str) -> list[str]:
    """Return the vendor ids that ``mta``'s fixture truth names and that belong to the set-aside part."""
    named = {r["vendor_id"] for entry in truth_for(mta)["files"].values() for r in entry["recipients"]}
    return sorted(i for i in named if i and not in_part(str(i), "used"))


@cache
def positions(mta: str) -> list[Position]:
    """Return the template recipients of ``mta`` told a vendor reply.

    The lab scripts used-part replies only (scripts/mta_lab/replies.py: ``in_used_part``), so every
    notice is a template. Should a fixture still name a set-aside vendor id, this refuses before any
    notice is opened (ids are compared, never texts); test_mta_dsns.py's guard names the ids.
    """
    aside = set_aside_ids(mta)
    if aside:
        raise ValueError(f"{mta}: fixtures quote {len(aside)} set-aside vendor replies; regenerate them")
    found = []
    for name, entry in truth_for(mta)["files"].items():
        for r in entry["recipients"]:
            family = r["slot"].split(":")[0]
            told = r["told"][-1]
            if family not in ("R5", "D5", "R4", "D4"):
                continue
            status, enhanced = r["dsn"]["status"], told["enhanced"]
            found.append(
                Position(
                    mta,
                    name,
                    r["address"],
                    r["notice"],
                    family,
                    told["code"],
                    lines_of(told),
                    status,
                    enhanced,
                    r["vendor_id"],
                )
            )
    return found


def _copied(status: str, told: dict) -> bool:
    return status == (told.get("enhanced") or f"{told['code'][0]}.0.0")


@cache
def status_rule(mta: str) -> Callable[[Position, dict], str | None]:
    """Return how ``mta`` writes a recipient's Status from the reply it got, learned from its notices.

    Postfix copies the remote's enhanced code (X.0.0 without one); Exim and OpenSMTPD write one
    status per kind of notice; sendmail maps the reply code itself (552 at DATA -> 5.2.2). A reply
    whose status the templates do not show for that MTA gives None (the pair is not used).
    """
    found = positions(mta)
    if all(_copied(p.status, {"code": p.code, "enhanced": p.told_enhanced}) for p in found):
        return lambda pos, reply: reply["enhanced"] or f"{reply['code'][0]}.0.0"
    by_code: dict[tuple[str, str, str], set[str]] = {}
    by_kind: dict[tuple[str, str], set[str]] = {}
    for p in found:
        by_code.setdefault((p.notice, p.family, p.code), set()).add(p.status)
        by_kind.setdefault((p.notice, p.family), set()).add(p.status)

    def rule(pos: Position, reply: dict) -> str | None:
        one = by_kind.get((pos.notice, pos.family), set())
        if len(one) == 1:
            return next(iter(one))
        seen = by_code.get((pos.notice, pos.family, reply["code"]), set())
        return next(iter(seen)) if len(seen) == 1 else None

    return rule


def _status_block(text: str, address: str) -> tuple[int, int] | None:
    m = re.search(r"(?im)^Final-Recipient:[^\n]*?;\s*" + re.escape(address) + r"\s*$", text)
    if not m:
        return None
    end = text.find("\n\n", m.end())
    return m.start(), end if end >= 0 else len(text)


def _substitute(text: str, pos: Position, entry: dict, fold: tuple[int, str] | None) -> tuple[str, dict, dict] | None:
    """Return (text, truth, reply) with ``entry`` told to ``pos``'s recipient in ``text``, or None."""
    kind = slot_kind(entry)
    if not kind or kind.split(":")[0] != pos.family:
        return None
    rcpt = SimpleNamespace(address=pos.address, slot=kind, family=pos.family, entry=entry)
    reply = scripted_reply(rcpt)  # type: ignore[arg-type]
    if reply is None:
        return None
    truth = next(n for n in expected_notices(rcpt) if n["notice"] == pos.notice)  # type: ignore[arg-type]
    out = rewrap(text, pos.lines, lines_of(reply), fold)
    status = status_rule(pos.mta)(pos, reply)
    bounds = _status_block(out, pos.address) if out else None
    if out is None or status is None or bounds is None:
        return None
    lo, hi = bounds
    block = re.sub(r"(?im)^(Status:[ \t]*)\S+", lambda m: m.group(1) + status, out[lo:hi], count=1)
    return out[:lo] + block + out[hi:], truth, reply


def notice_with(
    pos: Position, entry: dict, fold: tuple[int, str] | None, others: Sequence[tuple[Position, dict]] = ()
) -> tuple[bytes, dict, dict] | None:
    """Return (message, truth, reply) for ``entry`` told to ``pos``'s recipient, or None if unusable.

    The truth is the lab's own (scripts/mta_lab/plan.py) for that notice; the reply is what the
    remote would have sent (placeholders filled with the recipient's address). ``others``: the
    replies the notice's other recipients are told instead of theirs (kept where unusable).
    """
    made = _substitute(template(pos), pos, entry, fold)
    if made is None:
        return None
    out, truth, reply = made
    for other, other_entry in others:
        changed = _substitute(out, other, other_entry, fold)
        out = changed[0] if changed else out
    if b"\r\n" in (FIXTURES / pos.mta / pos.name).read_bytes():
        out = out.replace("\n", "\r\n")
    return out.encode("ascii"), truth, reply


def _siblings(pos: Position) -> list[Position]:
    return [p for p in positions(pos.mta) if p.name == pos.name and p.address != pos.address]


def _others(pos: Position, index: int, entries: list[dict]) -> list[tuple[Position, dict]]:
    """Return, for each other recipient of ``pos``'s notice, another entry of its stage (rotating).

    Never a reply already in the notice: replacing it would replace it where it was put too.
    """
    taken = {pos.vendor_id, entries[index]["id"], *(p.vendor_id for p in _siblings(pos))}
    chosen = []
    for other in _siblings(pos):
        for step in range(1, len(entries)):
            candidate = entries[(index + step) % len(entries)]
            if candidate["id"] not in taken and (slot_kind(candidate) or "").split(":")[0] == other.family:
                taken.add(candidate["id"])
                chosen.append((other, candidate))
                break
    return chosen


@dataclass
class Agreement:
    """Per MTA: recipients given a vendor reply, and how many the whole notice reads right.

    ``right`` counts category / reason (or an alternative) / action as the lab's truth says, and
    ``bare`` the recipients read like ``classify_smtp_reply`` reads the reply alone.
    """

    mta: str
    total: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("category", "reason", "action", "bare"), 0))
    false_hard: int = 0
    misses: list[tuple] = field(default_factory=list)

    def rate(self, what: str) -> float:
        return 100.0 * self.right[what] / self.total if self.total else 0.0

    def line(self) -> str:
        rates = " / ".join(f"{self.rate(w):.1f}" for w in ("category", "reason", "action", "bare"))
        return f"{self.mta}: {self.total} recipients, category / reason / action / as bare {rates} %, false hard {self.false_hard}"


def _bare(reply: dict) -> Recipient:
    text = f"{reply['enhanced']} {reply['text']}" if reply["enhanced"] else reply["text"]
    return classify_smtp_reply(reply["code"], text, command=reply["stage"])


def _agrees_with_bare(notice: str, got: Recipient, bare: Recipient) -> bool:
    """A delayed notice keeps the reply's reason; an expired one may say ``expired`` instead."""
    if notice == "delayed":
        return got.reason == bare.reason
    if notice == "expired":
        return got.reason in ("expired", bare.reason)
    return got.reason == bare.reason and got.category == categorize(bare.reason, bare.reply_code, bare.status)[0]


def agreement(mta: str, entries: list[dict]) -> Agreement:
    """Classify each of ``entries`` (used-part vendor replies) inside each fitting template of ``mta``.

    The notice's other recipients are told other entries of their stage at the same time.
    """
    result = Agreement(mta)
    fold = fold_of(mta)
    for pos in positions(mta):
        for index, entry in enumerate(entries):
            if entry["id"] in {p.vendor_id for p in _siblings(pos)}:
                continue  # the notice already quotes it for another recipient
            made = notice_with(pos, entry, fold, _others(pos, index, entries))
            if made is None:
                continue
            message, truth, reply = made
            got = next((r for r in classify(message).recipients if r.address.lower() == pos.address), None)
            result.total += 1
            if got is None:
                result.misses.append((pos.name, entry["id"], truth["notice"], "recipient not found"))
                continue
            checks = {
                "action": got.action == truth["action"],
                "category": got.category in (truth["category"], *truth["category_alternatives"]),
                "reason": got.reason in (truth["reason"], *truth["reason_alternatives"]),
                "bare": _agrees_with_bare(truth["notice"], got, _bare(reply)),
            }
            for what, ok in checks.items():
                result.right[what] += ok
            result.false_hard += got.hard and truth["category"] != "hard"
            if not all(checks.values()):
                wrong = ",".join(w for w, ok in checks.items() if not ok)
                want = f"{truth['action']}/{truth['category']}/{truth['reason']}"
                result.misses.append(
                    (pos.name, entry["id"], truth["notice"], wrong, want, f"{got.action}/{got.category}/{got.reason}")
                )
    return result
