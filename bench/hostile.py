"""Benchmark of the classifier on pathological input: a megabyte of one construct per message.

Run from the repository root: ``.venv/bin/python bench/hostile.py [--size BYTES]``. Every case of
``tests/classifier/hostile.py`` (tags, entities, runs of spaces, repeated tokens, unterminated
quotes, deep nesting, many MIME parts, huge headers) is classified once (CPU time, after one
warm-up message), and parsed the simplest way every reader must at least do, a bare
``email.message_from_bytes`` (compat32) of the same bytes. Prints the slowest cases, then
``RESULT worst_ms=… p99_ms=… median_ms=… cases=… limit_ratio=…`` where ``limit_ratio`` is the
classifier's total time over the bare parse's total time (target: worst < 500 ms per message).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bounceportal.classifier import classify  # noqa: E402
from tests.classifier.hostile import SIZE, cases  # noqa: E402


def cpu(work) -> float:
    """CPU seconds of ``work()``; the stdlib parser gives up on some cases (RecursionError on a
    10,000-deep multipart): the time until then counts."""
    start = time.process_time()
    try:
        work()
    except RecursionError:
        pass
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=SIZE)
    args = parser.parse_args()
    classify(b"From: a@b.example\nSubject: warm-up\n\nhello\n")
    rows = []
    for name, build in cases(args.size).items():
        raw = build()
        spent = cpu(lambda raw=raw: classify(raw))
        parsed = cpu(lambda raw=raw: email.message_from_bytes(raw, policy=email.policy.compat32))
        rows.append((spent, parsed, name, len(raw)))
    rows.sort(reverse=True)
    for spent, parsed, name, size in rows[:10]:
        print(f"{spent * 1000:8.1f} ms  (bare parse {parsed * 1000:6.1f} ms)  {size:>8} bytes  {name}")
    times = sorted(spent for spent, *_ in rows)
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    ratio = sum(times) / max(sum(parsed for _, parsed, *_ in rows), 1e-9)
    print(
        f"RESULT worst_ms={times[-1] * 1000:.0f} p99_ms={p99 * 1000:.0f} "
        f"median_ms={statistics.median(times) * 1000:.0f} cases={len(times)} limit_ratio={ratio:.1f}"
    )


if __name__ == "__main__":
    main()
