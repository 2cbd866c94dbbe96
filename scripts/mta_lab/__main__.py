"""The MTA lab: ``.venv/bin/python -m scripts.mta_lab generate postfix`` (as root, from the repo root).

Commands:
  generate MTA [--quick] [--out DIR]   install MTA, run the lab, write fixtures to DIR
                                       (default tests/fixtures/mta_dsns/MTA), purge MTA
  purge MTA                            remove what an interrupted run left (from its record)
  _inner MTA WORK [--quick]            the run inside the lab namespaces (used by generate)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import run, system
from .lab import generate
from .mtas import NAMES

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.mta_lab")
    sub = parser.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("mta", choices=NAMES)
    g.add_argument("--quick", action="store_true", help="only the messages that fail at once (the CI subset)")
    g.add_argument("--out", type=Path)
    p = sub.add_parser("purge")
    p.add_argument("mta", choices=NAMES)
    i = sub.add_parser("_inner")
    i.add_argument("mta", choices=NAMES)
    i.add_argument("work", type=Path)
    i.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.cmd == "generate":
        out = args.out or ROOT / "tests" / "fixtures" / "mta_dsns" / args.mta
        truth = generate(args.mta, out, args.quick)
        print(
            f"{args.mta}: {len(truth['files'])} notices in {out}, missing {len(truth['missing'])}, "
            f"install {truth['install_s']} s, run {truth['run_s']} s"
        )
    elif args.cmd == "purge":
        print("\n".join(system.purge(args.mta)))
    else:
        run.inner(args.mta, args.work, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
