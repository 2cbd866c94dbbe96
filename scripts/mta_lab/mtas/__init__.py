"""One module per MTA: its Debian packages, its lab configuration, how to start, kick and stop it.

Every MTA relays the lab domains by MX (the lab's DNS), writes its own DSNs to the bounce
domain, and uses short queue times (RECIPES.md) so delay warnings come after ~2 minutes and
expiries after ~8-9. ``quick=True`` keeps the same configuration: the CI subset only needs
immediate failures.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


class Mta:
    """Base: subclasses set ``name``, ``packages``, ``settings`` and implement configure/start/stop."""

    name = ""
    packages: list[str] = []
    settings: dict[str, str] = {}
    uses_collector = False

    def __init__(self, work: Path) -> None:
        self.work = work
        self.maildir = work / "mail" / "bounces"

    def dsn_folder(self) -> Path:
        """Where this MTA's notices land (a Maildir ``new`` or the collector's folder)."""
        return self.work / "collected" if self.uses_collector else self.maildir / "new"

    def configure(self) -> None:
        """Write the lab configuration (into the package's own folders: the purge removes them)."""
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def kick(self) -> None:
        """Ask the MTA to run its queue now (when its own timer is too slow for the lab)."""

    def prepare_maildir(self, owner: str = "mail") -> None:
        for sub in ("new", "cur", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        run("chown", "-R", f"{owner}:{owner}", str(self.work / "mail"))


def run(*cmd: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a command, raising with its output when it fails (``check``)."""
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
    return proc


def wait_port(host: str, port: int, timeout: float = 30) -> None:
    """Wait until something accepts TCP connections on host:port."""
    import socket

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing listens on {host}:{port} after {timeout}s")


def get(name: str, work: Path) -> Mta:
    """Return the MTA driver called ``name`` for the lab folder ``work``."""
    import importlib

    module = importlib.import_module(f"{__name__}.{name}")
    return getattr(module, DRIVERS[name])(work)


DRIVERS = {"postfix": "Postfix", "exim4": "Exim4", "opensmtpd": "OpenSmtpd", "sendmail": "Sendmail"}
NAMES = tuple(DRIVERS)
