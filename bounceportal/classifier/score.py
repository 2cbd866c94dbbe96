"""Scoring against the labeled bounce corpus, as its README describes.

Per file: ``is_bounce`` (expected false only when every labeled recipient is
``delivered``) and the number of recipients. Sisimai reports a delay warning as a bounce (its
labels carry no action: reason ``expired``, ``mailboxfull``...), where DESIGN §2 says it is
none (``is_bounce`` false, recipients ``delayed``): so the file check takes a delay notice
(:meth:`~.result.Result.reports`) for the labels' bounce. Per labeled recipient, in order:
``status``, ``reply_code``, ``reason`` and ``hard``. A labeled status of Sisimai's own
stand-in form ``X.0.9NN`` is matched by no status or by any status of the same class.
A file may be an mbox holding several messages; their recipients are concatenated.

Hold-out: a quarter of the corpus *families* (a file's name without its trailing
``-NN.eml``, e.g. ``lhost-exim``) and a quarter of the vendor replies (by ``id``) are
set aside by a hash of the name (:func:`is_set_aside`), chosen without looking at them.
Rules are written against the ``used`` part only; the ``set_aside`` part is scored in
aggregate (its misses are never listed), so the gap between the two is the overfit.

Run ``python -m bounceportal.classifier.score [CORPUS_DIR] [--newlines lf|crlf|cr]
[--part all|used|set_aside] [--misses]`` to print the rates (and each miss, used part).
With ``BENCH_HIDE_ASIDE=1`` in the environment (:func:`aside_hidden`) nothing that reveals the
set-aside part's rates is printed, here, by ``bench/classifier.py`` or by the scoring tests:
whoever writes rules sets it, so that not even the aggregate steers them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from .core import classify
from .mailbox import split_mbox
from .result import Recipient
from .smtpreply import classify_smtp_reply
from .taxonomy import categorize

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "bounce-corpus"
DEFAULT_REPLIES = Path(__file__).resolve().parents[2] / ".." / "shared" / "vendor-replies" / "replies.json"
REPLY_FIELDS = ("category", "reason", "sender_side")
FIELDS = ("status", "reply_code", "reason", "hard")
_STAND_IN = re.compile(r"[45]\.0\.9\d\d\Z")
_FAMILY = re.compile(r"-\d+\.eml\Z")
PARTS = ("all", "used", "set_aside")
HIDE_ASIDE_ENV = "BENCH_HIDE_ASIDE"


def aside_hidden() -> bool:
    """True when ``BENCH_HIDE_ASIDE`` asks that no rate of the set-aside part be shown."""
    return os.environ.get(HIDE_ASIDE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def shown_parts(parts: tuple[str, ...] = PARTS) -> tuple[str, ...]:
    """Return the parts whose rates may be printed: ``used`` only while the set-aside is hidden."""
    return tuple(p for p in parts if p == "used" or not aside_hidden())


def family_of(name: str) -> str:
    """Return a corpus file's family: its name without the trailing ``-NN.eml``."""
    return _FAMILY.sub("", name)


def is_set_aside(key: str) -> bool:
    """True for the quarter of families / reply ids held out: ``sha256(key) % 4 == 0``."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 4 == 0


def in_part(key: str, part: str) -> bool:
    """True when ``key`` (a family or a reply id) belongs to ``part`` of the split."""
    return part == "all" or is_set_aside(key) == (part == "set_aside")


def convert_newlines(data: bytes, style: str) -> bytes:
    """Return ``data`` with LF newlines rewritten as ``crlf`` or bare ``cr`` (or kept)."""
    if style == "crlf":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if style == "cr":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    return data


def classify_file_bytes(data: bytes) -> tuple[bool, list[Recipient]]:
    """Return ``(reported, recipients)`` for a file that may hold several messages: ``reported``
    when one of them is a bounce or a delay notice (what the corpus labels call a bounce)."""
    reported, recipients = False, []
    for message in split_mbox(data):
        result = classify(message)
        reported = reported or result.reports()
        recipients.extend(result.recipients)
    return reported, recipients


def status_matches(expected: str, got: str) -> bool:
    """True when a status is right under the README's stand-in rule."""
    if expected == got:
        return True
    return bool(_STAND_IN.match(expected)) and (not got or got[:1] == expected[:1])


def score_corpus(corpus: Path = DEFAULT_CORPUS, newlines: str = "lf", part: str = "all") -> dict[str, Any]:
    """Return rates (percent) per field plus the list of misses, over ``part`` of the corpus.

    The misses of the set-aside part are not returned (it is only scored in aggregate).
    """
    labels = json.loads((corpus / "labels.json").read_text())
    labels = {name: value for name, value in labels.items() if in_part(family_of(name), part)}
    hits = dict.fromkeys(FIELDS, 0)
    files_ok = {"is_bounce": 0, "count": 0}
    total, non_bounce = 0, [0, 0]
    misses: list[tuple[str, str, object, object]] = []
    for name, expected in sorted(labels.items()):
        data = convert_newlines((corpus / name).read_bytes(), newlines)
        is_bounce, got = classify_file_bytes(data)
        want_bounce = not all(e["reason"] == "delivered" for e in expected)
        if not want_bounce:
            non_bounce[0] += 1
            non_bounce[1] += is_bounce == want_bounce
        files_ok["is_bounce"] += is_bounce == want_bounce
        files_ok["count"] += len(got) == len(expected)
        if is_bounce != want_bounce or len(got) != len(expected):
            misses.append(
                (name, "file", f"is_bounce={is_bounce} n={len(got)}", f"is_bounce={want_bounce} n={len(expected)}")
            )
        for index, exp in enumerate(expected):
            total += 1
            rec = got[index] if index < len(got) else None
            for field in FIELDS:
                value = getattr(rec, field) if rec else None
                ok = status_matches(exp[field], value or "") if field == "status" and rec else value == exp[field]
                hits[field] += ok
                if not ok:
                    misses.append((name, field, value, exp[field]))
    rates = {field: 100.0 * hits[field] / total for field in FIELDS}
    rates.update({key: 100.0 * value / len(labels) for key, value in files_ok.items()})
    rates["non_bounce_right"] = non_bounce[1]
    rates["non_bounce_total"] = non_bounce[0]
    if part != "used":
        misses = []
    return {"rates": rates, "misses": misses, "files": len(labels), "recipients": total}


def reply_as_received(entry: dict[str, Any]) -> tuple[str, str, str]:
    """Return ``(code, text, stage)`` of a documented reply as a server would send it.

    Documentation often gives the enhanced status beside the text; on the wire it
    starts the text (RFC 3463), so it is put there when the text lacks it.
    """
    code = str(entry.get("reply_code") or "")
    text = str(entry.get("text") or "")
    status = str(entry.get("enhanced_status") or "")
    if status and status not in text:
        text = f"{status} {text}"
    return code, text, str(entry.get("stage") or "")


def classify_entry(entry: dict[str, Any], *, with_stage: bool = True) -> Recipient:
    """Return what ``classify_smtp_reply`` reads in one vendor-reply entry."""
    code, text, stage = reply_as_received(entry)
    if with_stage and stage:
        return classify_smtp_reply(code, text, command=stage)
    return classify_smtp_reply(code, text)


def reply_misses(entry: dict[str, Any], got: Recipient) -> list[str]:
    """Return the fields (of ``REPLY_FIELDS`` and ``false_hard``) ``got`` gets wrong."""
    labels = entry["labels"]
    category = categorize(got.reason, got.reply_code, got.status)[0]
    wrong = []
    if category != labels["category"]:
        wrong.append("category")
    if got.reason != labels["reason"] and got.reason not in (labels.get("reason_alternatives") or ()):
        wrong.append("reason")
    if labels.get("sender_side") is not None and got.sender_side != labels["sender_side"]:
        wrong.append("sender_side")
    if got.hard and labels["category"] != "hard":
        wrong.append("false_hard")
    return wrong


def score_replies(path: Path = DEFAULT_REPLIES, part: str = "all", *, with_stage: bool = True) -> dict[str, Any]:
    """Return rates (percent) of category, reason and sender side, and the false-hard count.

    Sender side is scored only on entries whose label says true or false. Misses are
    listed for the used part only.
    """
    entries = [e for e in json.loads(path.read_text()) if in_part(str(e["id"]), part)]
    hits = dict.fromkeys(REPLY_FIELDS, 0)
    sided, false_hard, misses = 0, 0, []
    for entry in entries:
        got = classify_entry(entry, with_stage=with_stage)
        wrong = reply_misses(entry, got)
        sided += entry["labels"].get("sender_side") is not None
        false_hard += "false_hard" in wrong
        for field in REPLY_FIELDS:
            hits[field] += field not in wrong
        hits["sender_side"] -= entry["labels"].get("sender_side") is None
        if wrong:
            misses.append((entry["id"], ",".join(wrong), got.reason, got.sender_side, entry["labels"]))
    total = max(len(entries), 1)
    rates = {
        "category": 100.0 * hits["category"] / total,
        "reason": 100.0 * hits["reason"] / total,
        "sender_side": 100.0 * hits["sender_side"] / max(sided, 1),
    }
    return {
        "rates": rates,
        "false_hard": false_hard,
        "entries": len(entries),
        "misses": misses if part == "used" else [],
    }


def _line(rates: dict[str, Any]) -> str:
    return " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in rates.items())


def main(argv: list[str] | None = None) -> int:
    """Print the corpus (or, with ``--replies``, vendor-reply) rates; return 0."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--newlines", choices=("lf", "crlf", "cr"), default="lf")
    parser.add_argument("--part", choices=PARTS, default="used")
    parser.add_argument("--replies", action="store_true", help="score the vendor replies instead")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    if args.part not in shown_parts():
        parser.error(f"--part {args.part} includes the set-aside part, hidden by {HIDE_ASIDE_ENV}")
    if args.replies:
        replies = score_replies(DEFAULT_REPLIES, args.part)
        for miss in replies["misses"] if args.misses else ():
            print(*miss, sep="\t")
        print(_line(replies["rates"]), f"false_hard={replies['false_hard']} entries={replies['entries']}")
        return 0
    report = score_corpus(args.corpus, args.newlines, args.part)
    for miss in report["misses"] if args.misses else ():
        print(*miss, sep="\t")
    print(_line(report["rates"]), f"files={report['files']} recipients={report['recipients']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
