"""Benchmark of bounceportal.classifier over the bounce corpus.

Run from the repository root: ``.venv/bin/python bench/classifier.py``. Measures

* in-process messages/s on one core (best of several passes, CPU time) and peak RSS,
  plus a 20 MB message and a 1,000-deep nested multipart (each must take < 1 s);
* the command line, 200 files per call, start-up included (best of several runs);
* Sisimai 4 (``perl -MSisimai``) on the same batches when it is installed, and the ratio;
* ``limit_ratio``: in-process messages/s divided by a bare ``email.message_from_bytes``
  parse of the same files in the same run (the simplest work every reader must do);
* pattern compile cost: the seconds to import the package and compile every table
  with plain ``re`` in a fresh process (the CLI pays it once per call);
* the corpus rates (reason, status, hard) on the used and the set-aside part, and the
  vendor-reply rates (category, reason, sender side, false hard) on both parts.

The package is byte-compiled first, with ``bounceportal/__init__.py`` above it (as an
installed package would be; this machine sets PYTHONDONTWRITEBYTECODE). The last line is ``RESULT msgs_per_s=… cli_msgs_per_s=…
sisimai_msgs_per_s=… ratio=… cpu_ratio=… limit_ratio=… compile_s=… peak_rss_mb=… reason_pct=…
status_pct=… hard_pct=… aside_reason_pct=… … vendor_category_pct=… … aside_vendor_…``.
``--no-aside`` (or ``BENCH_HIDE_ASIDE=1``) leaves out every set-aside rate, line and field.
"""

from __future__ import annotations

import email
import email.policy
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bounceportal.classifier import classify  # noqa: E402
from bounceportal.classifier.score import (  # noqa: E402
    DEFAULT_CORPUS,
    DEFAULT_REPLIES,
    HIDE_ASIDE_ENV,
    score_corpus,
    score_replies,
    shown_parts,
)

BATCH = 200
RUNS = 7


def corpus_files() -> list[Path]:
    files = sorted(DEFAULT_CORPUS.glob("*.eml"))
    if not files:
        sys.exit(f"bounce corpus not found at {DEFAULT_CORPUS}")
    return files


def in_process(files: list[Path]) -> float:
    """Return messages/s of classify() over the corpus: best pass of RUNS, CPU time."""
    data = [f.read_bytes() for f in files]
    for raw in data:  # warm-up: lazily compiled tables, caches
        classify(raw)
    best = float("inf")
    for _ in range(RUNS):
        start = time.process_time()
        for raw in data:
            classify(raw)
        best = min(best, time.process_time() - start)
    return len(data) / best


def bare_parse(files: list[Path]) -> float:
    """Return messages/s of a bare ``email.message_from_bytes`` (compat32) over the same files."""
    data = [f.read_bytes() for f in files]
    best = float("inf")
    for _ in range(RUNS):
        start = time.process_time()
        for raw in data:
            email.message_from_bytes(raw, policy=email.policy.compat32)
        best = min(best, time.process_time() - start)
    return len(data) / best


COMPILE_PROBE = (
    "import time; t = time.perf_counter(); import bounceportal.classifier.__main__; "
    "from bounceportal.classifier import decision, fallbacks, reasons, settling, smtptext; "
    "[g.compile_all() for g in (decision.GATED_PHRASES, fallbacks._NOTICE, settling._CERTAIN, reasons._RECIPIENT_SIDE, "
    "smtptext._COMMAND_GROUPS)]; "
    "print(time.perf_counter() - t)"
)


def compile_seconds() -> float:
    """Seconds to import the package and compile every phrase group (fresh process, best of RUNS)."""
    best = float("inf")
    for _ in range(RUNS):
        done = subprocess.run([sys.executable, "-c", COMPILE_PROBE], capture_output=True, check=True, cwd=ROOT)
        best = min(best, float(done.stdout))
    return best


def stress() -> dict[str, float]:
    """Seconds for a 20 MB message and a 1,000-deep nested multipart."""
    body = b"x" * 76 + b"\n"
    huge = (
        b"From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n"
        b"Content-Type: text/plain\n\n<a@example.org>: 550 5.1.1 user unknown\n"
        + body
        * (20 * 1024 * 1024 // len(body))
    )
    nested = b"From: a@example.org\nSubject: nest\n"
    for depth in range(1000):
        nested += b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (depth, depth)
    nested += b"Content-Type: text/plain\n\nhello\n"
    timings = {}
    for name, raw in (("huge_20mb_s", huge), ("nested_1000_s", nested)):
        start = time.perf_counter()
        classify(raw)
        timings[name] = time.perf_counter() - start
    return timings


def batches(files: list[Path]) -> list[list[str]]:
    names = [str(f) for f in files]
    return [names[i : i + BATCH] for i in range(0, len(names), BATCH)]


def one_pass(command: list[str], groups: list[list[str]]) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds of the child processes) of ``command FILES...``."""
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    for group in groups:
        subprocess.run(command + group, stdout=subprocess.DEVNULL, check=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - start, cpu


def timed_runs(commands: list[list[str]], groups: list[list[str]]) -> list[tuple[float, float]]:
    """Return (messages/s by wall time, messages/s by CPU time) per command, best of RUNS.

    Passes of the commands alternate so that both see the same load on a shared machine;
    the CPU-time rate is the steadier of the two when other work shares the cores.
    """
    best = [[float("inf"), float("inf")] for _ in commands]
    for _ in range(RUNS):
        for index, command in enumerate(commands):
            wall, cpu = one_pass(command, groups)
            best[index] = [min(best[index][0], wall), min(best[index][1], cpu)]
    total = sum(len(g) for g in groups)
    return [(total / wall, total / cpu) for wall, cpu in best]


def sisimai_available() -> bool:
    if not shutil.which("perl"):
        return False
    probe = subprocess.run(["perl", "-MSisimai", "-e", "1"], capture_output=True)
    return probe.returncode == 0


def main() -> int:
    if "--no-aside" in sys.argv[1:]:
        os.environ[HIDE_ASIDE_ENV] = "1"
    parts = shown_parts(("used", "set_aside"))
    files = corpus_files()
    # The classifier and the package it is in (the CLI imports bounceportal/__init__.py too).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "bounceportal/__init__.py", "bounceportal/classifier"],
        cwd=ROOT,
        check=True,
    )
    groups = batches(files)
    cli = [sys.executable, "-m", "bounceportal.classifier"]
    subprocess.run(cli + groups[0], stdout=subprocess.DEVNULL, check=True, cwd=ROOT)

    rate = in_process(files)
    bare = bare_parse(files)
    compile_s = compile_seconds()
    timings = stress()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if sisimai_available():
        # Sisimai 4's API: Sisimai->make(PATH) parses a file (mbox or single message).
        perl = ["perl", "-MSisimai", "-e", "for my $f (@ARGV) { my $v = Sisimai->make($f); }"]
        (cli_rate, cli_cpu), (sisimai_rate, sisimai_cpu) = timed_runs([cli, perl], groups)
        sisimai, ratio = f"{sisimai_rate:.0f}", f"{cli_rate / sisimai_rate:.2f}"
        cpu_ratio = f"{cli_cpu / sisimai_cpu:.2f}"
    else:
        ((cli_rate, cli_cpu),) = timed_runs([cli], groups)
        sisimai = ratio = cpu_ratio = "n/a"
    corpus = {part: score_corpus(part=part)["rates"] for part in parts}
    replies = {part: score_replies(DEFAULT_REPLIES, part) for part in parts} if DEFAULT_REPLIES.is_file() else {}

    print(f"corpus: {len(files)} files, CLI batches of {BATCH}")
    print(
        f"in-process: {rate:.0f} msgs/s; bare email.message_from_bytes: {bare:.0f} msgs/s; "
        f"import + compile every table: {compile_s * 1000:.0f} ms; 20 MB message {timings['huge_20mb_s']:.3f} s; "
        f"1000-deep multipart {timings['nested_1000_s']:.3f} s"
    )
    print(f"CLI: {cli_rate:.0f} msgs/s; Sisimai 4: {sisimai} msgs/s; ratio {ratio} (by CPU time: {cpu_ratio})")
    for part, rates in corpus.items():
        print(
            f"corpus {part.replace('_', ' ')}: "
            + " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in rates.items())
        )
    fields = [
        f"msgs_per_s={rate:.0f}",
        f"cli_msgs_per_s={cli_rate:.0f}",
        f"sisimai_msgs_per_s={sisimai}",
        f"ratio={ratio}",
        f"cpu_ratio={cpu_ratio}",
        f"limit_ratio={rate / bare:.2f}",
        f"compile_s={compile_s:.3f}",
        f"peak_rss_mb={peak_mb:.1f}",
    ]
    for prefix, part in (("", "used"), ("aside_", "set_aside")):
        if part in corpus:
            fields += [f"{prefix}{key}_pct={corpus[part][key]:.2f}" for key in ("reason", "status", "hard")]
    for prefix, part in (("vendor_", "used"), ("aside_vendor_", "set_aside")):
        if part in replies:
            rates = replies[part]["rates"]
            print(f"vendor replies {part}: {rates} false_hard={replies[part]['false_hard']}")
            fields += [f"{prefix}{key}_pct={rates[key]:.2f}" for key in ("category", "reason", "sender_side")]
            fields.append(f"{prefix}false_hard={replies[part]['false_hard']}")
    print("RESULT " + " ".join(fields))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
