"""The MTA lab: ``.venv/bin/python -m scripts.mta_lab generate postfix`` (as root, from the repo root).

Commands:
  generate MTA [--quick] [--out DIR]   install MTA, run the lab, write fixtures to DIR
                                       (default tests/fixtures/mta_dsns/MTA), purge MTA
  purge MTA                            remove what an interrupted run left (from its record)
  _inner MTA WORK [--quick]            the run inside the lab namespaces (used by generate)
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import sys
import time
from pathlib import Path

from . import fixtures, run, system
from .mtas import NAMES, get
from .plan import build_plan
from .replies import load_replies

ROOT = Path(__file__).resolve().parents[2]


def generate(mta_name: str, out: Path, quick: bool) -> dict:
    """Install, run, write fixtures, purge (always). Return the truth written."""
    started = time.time()
    work = system.STATE / f"work-{mta_name}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    work.chmod(0o755)
    mta = get(mta_name, work)
    try:
        record = system.install(mta_name, mta.packages)
        installed = time.time()
        code = run.enter(mta_name, work, quick)
        if code:
            raise RuntimeError(f"the lab run for {mta_name} failed (exit {code})")
        plan = build_plan(load_replies())
        if quick:
            plan = [m for m in plan if m.quick]
        meta = {
            "mta": mta_name,
            "versions": record.get("versions", {}),
            "settings": mta.settings,
            "generated": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "install_s": round(installed - started, 1),
            "run_s": round(time.time() - installed, 1),
        }
        return fixtures.write_fixtures(out, work, plan, meta, run.ACCEPT_AFTER)
    finally:
        system.purge(mta_name, extra_paths=[])
        shutil.rmtree(work, ignore_errors=True)


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
        print(f"{args.mta}: {len(truth['files'])} notices in {out}, missing {len(truth['missing'])}, "
              f"install {truth['install_s']} s, run {truth['run_s']} s")
    elif args.cmd == "purge":
        print("\n".join(system.purge(args.mta)))
    else:
        run.inner(args.mta, args.work, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
