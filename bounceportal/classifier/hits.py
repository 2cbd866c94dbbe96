"""Per-product and per-blocklist hit counts on the corpus: who refused the mail, by evidence.

``python -m bounceportal.classifier.hits [CORPUS_DIR] [--part all|used|set_aside]`` reads
the corpus where it lies (nothing is copied) and prints, per named product or blocklist,
how many failed recipients it was named for and on which evidence (the reply's words, the
remote host, the reporting MTA, a ``Received:`` trace). The last line is
``RESULT recipients=… named_product=… named_blocklist=…``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from .core import classify
from .mailbox import split_mbox
from .names import HOST, REPLY, REPORTING, TRACE
from .score import DEFAULT_CORPUS, PARTS, family_of, in_part

_EVIDENCE_WORDS = {
    REPLY: "the reply's words",
    HOST: "remote host",
    REPORTING: "reporting MTA",
    TRACE: "Received: trace",
}


def evidence_kind(rule: str) -> str:
    """Return which evidence an identification rule's label names (see :mod:`.names`)."""
    for kind, words in _EVIDENCE_WORDS.items():
        if words in rule:
            return kind
    return ""


def count_hits(corpus: Path, part: str = "all") -> tuple[int, Counter[tuple[str, str, str]]]:
    """Return (failed recipients, Counter of (kind, name, evidence)) over the corpus files."""
    hits: Counter[tuple[str, str, str]] = Counter()
    total = 0
    for path in sorted(corpus.glob("*.eml")):
        if not in_part(family_of(path.name), part):
            continue
        for message in split_mbox(path.read_bytes()):
            for rec in classify(message).recipients:
                if rec.action in ("delivered", "relayed", "expanded"):
                    continue
                total += 1
                for item in rec.evidence:
                    kind, _, rest = item["rule"].partition(" ")
                    if kind in ("product", "blocklist"):
                        hits[(kind, rest.partition(":")[0], evidence_kind(item["rule"]))] += 1
    return total, hits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--part", choices=PARTS, default="all")
    args = parser.parse_args(argv)
    total, hits = count_hits(Path(args.corpus), args.part)
    by_name: Counter[tuple[str, str]] = Counter()
    for (kind, name, _), n in hits.items():
        by_name[(kind, name)] += n
    for (kind, name), n in sorted(by_name.items(), key=lambda item: (item[0][0], -item[1], item[0][1])):
        ways = ", ".join(f"{ev or '?'} {c}" for (k, nm, ev), c in sorted(hits.items()) if (k, nm) == (kind, name))
        print(f"{kind:9} {name:36} {n:4}  ({ways})")
    products = sum(n for (kind, _), n in by_name.items() if kind == "product")
    lists = sum(n for (kind, _), n in by_name.items() if kind == "blocklist")
    print(f"RESULT recipients={total} named_product={products} named_blocklist={lists}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
