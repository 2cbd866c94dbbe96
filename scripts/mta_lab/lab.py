"""One lab run from install to purge: ``generate(mta, out, quick)``."""

from __future__ import annotations

import datetime
import fcntl
import shutil
import time
from pathlib import Path

from . import fixtures, run, system
from .mtas import get
from .plan import build_plan
from .replies import load_replies

LOCK = Path("/run/lock/bp-mta-lab.lock")  # the lock directory: emptied at boot, meant for these


def generate(mta_name: str, out: Path, quick: bool) -> dict:
    """Install, run, write fixtures, purge (always). Return the truth written.

    Runs are serialized by a lock file: the MTAs conflict, so two runs at once (two test
    suites on one machine) must not overlap.
    """
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _generate(mta_name, out, quick)


def _generate(mta_name: str, out: Path, quick: bool) -> dict:
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
        system.purge(mta_name)
        shutil.rmtree(work, ignore_errors=True)
        if system.STATE.is_dir() and not any(system.STATE.iterdir()):
            system.STATE.rmdir()
