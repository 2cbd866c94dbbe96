"""Scoring against the labeled bounce corpus, as its README describes.

Per file: ``is_bounce`` (expected false only when every labeled recipient is
``delivered``) and the number of recipients. Per labeled recipient, in order:
``status``, ``reply_code``, ``reason`` and ``hard``. A labeled status of Sisimai's own
stand-in form ``X.0.9NN`` is matched by no status or by any status of the same class.
A file may be an mbox holding several messages; their recipients are concatenated.

Run ``python -m bounceportal.classifier.score [CORPUS_DIR] [--newlines lf|crlf|cr]
[--misses]`` to print the rates (and each miss).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from .core import classify
from .mailbox import split_mbox

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "bounce-corpus"
FIELDS = ("status", "reply_code", "reason", "hard")
_STAND_IN = re.compile(r"[45]\.0\.9\d\d\Z")


def convert_newlines(data: bytes, style: str) -> bytes:
    """Return ``data`` with LF newlines rewritten as ``crlf`` or bare ``cr`` (or kept)."""
    if style == "crlf":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if style == "cr":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    return data


def classify_file_bytes(data: bytes) -> tuple[bool, list]:
    """Return ``(is_bounce, recipients)`` for a file that may hold several messages."""
    is_bounce, recipients = False, []
    for message in split_mbox(data):
        result = classify(message)
        is_bounce = is_bounce or result.is_bounce
        recipients.extend(result.recipients)
    return is_bounce, recipients


def status_matches(expected: str, got: str) -> bool:
    """True when a status is right under the README's stand-in rule."""
    if expected == got:
        return True
    return bool(_STAND_IN.match(expected)) and (not got or got[:1] == expected[:1])


def score_corpus(corpus: Path = DEFAULT_CORPUS, newlines: str = "lf") -> dict:
    """Return rates (percent) per field plus the list of misses, over the whole corpus."""
    labels = json.loads((corpus / "labels.json").read_text())
    hits = dict.fromkeys(FIELDS, 0)
    files_ok = {"is_bounce": 0, "count": 0}
    total, misses, non_bounce = 0, [], [0, 0]
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
    return {"rates": rates, "misses": misses, "files": len(labels), "recipients": total}


def main(argv: list[str] | None = None) -> int:
    """Print the corpus rates (and misses with ``--misses``); return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--newlines", choices=("lf", "crlf", "cr"), default="lf")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    report = score_corpus(args.corpus, args.newlines)
    if args.misses:
        for miss in report["misses"]:
            print(*miss, sep="\t")
    print(" ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in report["rates"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
