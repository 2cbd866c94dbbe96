"""Put a vendor reply inside a lab MTA's own notice, written the way that MTA writes replies.

A lab fixture (tests/fixtures/mta_dsns/<mta>/) is a template: ``truth.json``'s ``told`` says what
the remote answered each recipient, and :func:`occurrences` finds every place the MTA quoted that
reply (folded over indented lines by Postfix, on one line by Exim and OpenSMTPD, cut in the middle
by sendmail's "(reason: …)" line). :func:`rewrap` puts another reply in each place in the same
way: same line width and continuation indent where the MTA folded, the same head and tail kept
where it shortened, and the recipient's ``Status:`` rewritten when the MTA copied the remote's
enhanced code. Only replies the remote sent on one line serve as templates; the new reply is sent
on one line too (RFC 5321 allows 512 octets).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace

from bounceportal.classifier import classify
from bounceportal.classifier.result import Recipient
from bounceportal.classifier.score import in_part
from bounceportal.classifier.smtpreply import classify_smtp_reply
from bounceportal.classifier.taxonomy import categorize
from scripts.mta_lab.plan import expected_notices, scripted_reply
from scripts.mta_lab.replies import slot_kind
from tests.classifier.mta_scoring import FIXTURES, truth_for

SINGLE_LINE = 280  # the lab's remotes send longer replies as several lines (replies.smtp_reply)


@dataclass
class Spot:
    """Where the MTA quoted the reply: ``text[start:end]``, and how it wrote it there."""

    start: int
    end: int
    fold: tuple[int, str] | None = None  # (line width, continuation indent) of a folded paragraph
    cut: tuple[int, int] | None = None  # (head, tail) characters kept around "..."


@dataclass(frozen=True)
class Position:
    """One recipient of one template notice whose reply may be replaced."""

    mta: str
    name: str
    address: str
    notice: str  # failed / delayed / expired
    family: str  # R5 / D5 / R4 / D4
    wire: str  # the reply as the remote sent it, one line: "550 5.1.1 text"
    status: str  # the Status the MTA wrote
    told_enhanced: str


def wire_of(told: dict) -> str:
    return " ".join(p for p in (told["code"], told.get("enhanced") or "", told["text"]) if p)


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the bounds of the whole lines holding ``text[start:end]``."""
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1


def occurrences(text: str, wire: str) -> list[Spot]:
    """Return each place ``wire`` appears in ``text``: whole (maybe folded), or cut around "..."."""
    words = wire.split()
    spots = []
    for m in re.finditer(r"(?<!\S)" + r"\s+".join(map(re.escape, words)), text):
        lo, hi = _paragraph(text, m.start(), m.end())
        lines = text[lo:hi].split("\n")
        fold = None
        if len(lines) > 1:
            fold = (max(len(line) for line in lines), lines[1][: len(lines[1]) - len(lines[1].lstrip())])
        spots.append(Spot(m.start(), m.end(), fold))
    head = wire[:20]
    for m in re.finditer(r"(?<!\S)" + re.escape(head) + r"[^\n]*?\.\.\.", text):
        cut_head = m.group()[:-3]
        if not wire.startswith(cut_head) or any(s.start == m.start() for s in spots):
            continue
        after = text[m.end() : text.find("\n", m.end())]
        tail = max((b for b in range(1, len(after) + 1) if wire.endswith(after[:b])), default=0)
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


def rewrap(text: str, old: str, new: str, fold: tuple[int, str] | None = None) -> str | None:
    """Return ``text`` with every quotation of reply ``old`` replaced by ``new`` in the MTA's way.

    ``fold`` is the MTA's (width, indent) where it folds paragraphs (:func:`fold_of`): a reply it
    quoted on one line because it was short is folded there when the new one is longer.
    """
    spots = occurrences(text, old)
    if not spots:
        return None
    for spot in sorted(spots, key=lambda s: s.start, reverse=True):
        lo, hi = _paragraph(text, spot.start, spot.end)
        if spot.cut:
            head, tail = spot.cut
            short = new if len(new) <= head + 3 + tail else new[:head] + "..." + new[-tail:]
            text = text[: spot.start] + short + text[spot.end :]
        elif fold and (spot.fold or hi - lo - (spot.end - spot.start) + len(new) > fold[0]):
            width, indent = fold
            folded = _refold(text[lo : spot.start], new.split(), text[spot.end : hi], width, indent)
            text = text[:lo] + folded + text[hi:]
        else:
            text = text[: spot.start] + new + text[spot.end :]
    return text


def fold_of(mta: str) -> tuple[int, str] | None:
    """Return (line width, continuation indent) where ``mta`` folds the replies it quotes, or None."""
    folds = [spot.fold for pos in positions(mta) for spot in occurrences(template(pos), pos.wire) if spot.fold]
    return (max(w for w, _ in folds), folds[0][1]) if folds else None


def template(pos: Position) -> str:
    """Return the text of ``pos``'s notice with LF newlines."""
    return (FIXTURES / pos.mta / pos.name).read_bytes().decode("ascii").replace("\r\n", "\n")


@cache
def positions(mta: str) -> list[Position]:
    """Return the template recipients of ``mta``: one-line vendor replies, notices of used replies only.

    ``used`` is a predicate on vendor ids: a notice quoting any set-aside reply is never opened.
    """
    found = []
    for name, entry in truth_for(mta)["files"].items():
        recipients = entry["recipients"]
        if any(r["vendor_id"] and not in_part(r["vendor_id"], "used") for r in recipients):
            continue
        for r in recipients:
            family = r["slot"].split(":")[0]
            told = r["told"][-1]
            if family not in ("R5", "D5", "R4", "D4") or len(told["text"]) > SINGLE_LINE:
                continue
            found.append(
                Position(
                    mta, name, r["address"], r["notice"], family, wire_of(told), r["dsn"]["status"], told["enhanced"]
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
    if all(_copied(p.status, {"code": p.wire[:3], "enhanced": p.told_enhanced}) for p in found):
        return lambda pos, reply: reply["enhanced"] or f"{reply['code'][0]}.0.0"
    by_code: dict[tuple[str, str, str], set[str]] = {}
    by_kind: dict[tuple[str, str], set[str]] = {}
    for p in found:
        by_code.setdefault((p.notice, p.family, p.wire[:3]), set()).add(p.status)
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


def notice_with(pos: Position, entry: dict, fold: tuple[int, str] | None) -> tuple[bytes, dict, dict] | None:
    """Return (message, truth, reply) for ``entry`` told to ``pos``'s recipient, or None if unusable.

    The truth is the lab's own (scripts/mta_lab/plan.py) for that notice; the reply is what the
    remote would have sent (placeholders filled with the recipient's address).
    """
    kind = slot_kind(entry)
    if not kind or kind.split(":")[0] != pos.family:
        return None
    rcpt = SimpleNamespace(address=pos.address, slot=kind, family=pos.family, entry=entry)
    reply = scripted_reply(rcpt)  # type: ignore[arg-type]
    if reply is None:
        return None
    truth = next(n for n in expected_notices(rcpt) if n["notice"] == pos.notice)  # type: ignore[arg-type]
    crlf = b"\r\n" in (FIXTURES / pos.mta / pos.name).read_bytes()
    out = rewrap(template(pos), pos.wire, wire_of(reply), fold)
    if out is None:
        return None
    status = status_rule(pos.mta)(pos, reply)
    bounds = _status_block(out, pos.address)
    if status is None or bounds is None:
        return None
    lo, hi = bounds
    block = re.sub(r"(?im)^(Status:[ \t]*)\S+", lambda m: m.group(1) + status, out[lo:hi], count=1)
    out = out[:lo] + block + out[hi:]
    if crlf:
        out = out.replace("\n", "\r\n")
    return out.encode("ascii"), truth, reply


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
    """Classify each of ``entries`` (used-part vendor replies) inside each fitting template of ``mta``."""
    result = Agreement(mta)
    fold = fold_of(mta)
    for pos in positions(mta):
        for entry in entries:
            made = notice_with(pos, entry, fold)
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
