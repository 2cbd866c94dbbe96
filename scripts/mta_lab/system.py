"""Install and purge one MTA so that the machine is left as it was.

``install()`` downloads the packages (the only step that needs the network), then installs them
inside ``unshare -n`` (maintainer scripts see only ``lo``) with a ``policy-rc.d`` that forbids
starting services. It records what the install added — packages, accounts, groups, paths under
/etc and the mail spools, lines of /etc/hosts.allow, downloaded .debs — in a JSON file, and
``purge()`` removes exactly that, even from another process after a crash.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

STATE = Path("/var/tmp/bp-mta-lab")
POLICY = Path("/usr/sbin/policy-rc.d")
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", "--no-install-recommends"]
# Where installs and MTAs put things (walked fully under /etc, one level below the others).
DEEP_ROOTS = [Path("/etc")]
SHALLOW_ROOTS = [
    Path(p) for p in ("/var/spool", "/var/lib", "/var/log", "/var/mail", "/var/cache", "/run", "/var/backups")
]
ARCHIVES = Path("/var/cache/apt/archives")
ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}


class RegistryUnreachable(RuntimeError):
    """apt could not download the packages (no network or no package source)."""


def record_path(mta: str) -> Path:
    return STATE / f"record-{mta}.json"


def _paths() -> set[str]:
    found: set[str] = set()
    for root in DEEP_ROOTS:
        for dirpath, dirnames, filenames in os.walk(root):
            found.update(os.path.join(dirpath, n) for n in dirnames + filenames)
    for root in SHALLOW_ROOTS:
        if root.is_dir():
            found.update(str(p) for p in root.iterdir())
    if ARCHIVES.is_dir():
        found.update(str(p) for p in ARCHIVES.glob("*.deb"))
    return found


def _names(path: str) -> set[str]:
    return {line.split(":", 1)[0] for line in Path(path).read_text().splitlines() if line}


def _allow_lines() -> list[str]:
    p = Path("/etc/hosts.allow")
    return p.read_text().splitlines() if p.exists() else []


def snapshot() -> dict:
    """Return the parts of the machine an MTA install changes."""
    return {"paths": _paths(), "users": _names("/etc/passwd"), "groups": _names("/etc/group"), "allow": _allow_lines()}


def offline(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    """Run ``cmd`` in a new network namespace with only ``lo`` up."""
    script = 'ip link set lo up && exec "$@"'
    return subprocess.run(
        ["unshare", "-n", "sh", "-c", script, "sh", *cmd], env=ENV, capture_output=True, text=True, **kw
    )


def _new_packages(packages: list[str]) -> list[str]:
    sim = subprocess.run(["apt-get", "-s", *APT[1:], "install", *packages], env=ENV, capture_output=True, text=True)
    if sim.returncode:
        raise RuntimeError(f"apt-get -s install failed: {sim.stdout}{sim.stderr}")
    if re.search(r"^Remv ", sim.stdout, re.M):
        raise RuntimeError("installing would remove packages (another MTA installed?):\n" + sim.stdout)
    return re.findall(r"^Inst (\S+)", sim.stdout, re.M)


def download(packages: list[str]) -> None:
    """Fetch the .debs into apt's cache (raises RegistryUnreachable when apt cannot)."""
    for attempt in (1, 2):
        proc = subprocess.run([*APT, "install", "--download-only", *packages], env=ENV, capture_output=True, text=True)
        if proc.returncode == 0:
            return
        if attempt == 1:
            subprocess.run(["apt-get", "-q", "update"], env=ENV, capture_output=True, text=True)
    raise RegistryUnreachable(f"apt-get could not download {packages}: {proc.stderr.strip()[-500:]}")


def install(mta: str, packages: list[str]) -> dict:
    """Install ``packages`` offline; write and return the record of what was added."""
    STATE.mkdir(parents=True, exist_ok=True)
    if record_path(mta).exists():
        purge(mta)  # a previous run died before cleaning up
    before = snapshot()
    (STATE / f"before-{mta}.json").write_text(json.dumps(sorted(before["paths"])))
    new = _new_packages(packages)
    record = {"mta": mta, "packages": new, "policy_rc_d": False, "started": time.time()}
    record_path(mta).write_text(json.dumps(record))  # written first: a crash below still purges
    download(packages)
    if not POLICY.exists():
        POLICY.write_text("#!/bin/sh\nexit 101\n")
        POLICY.chmod(0o755)
        record["policy_rc_d"] = True
    proc = offline([*APT, "install", "--no-download", *packages], timeout=600)
    after = snapshot()
    record.update(
        paths=sorted(after["paths"] - before["paths"]),
        users=sorted(after["users"] - before["users"]),
        groups=sorted(after["groups"] - before["groups"]),
        allow_added=[line for line in after["allow"] if line not in before["allow"]],
        versions=_versions(new),
    )
    record_path(mta).write_text(json.dumps(record, indent=1))
    if proc.returncode:
        raise RuntimeError(f"install of {packages} failed: {proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return record


def _versions(packages: list[str]) -> dict[str, str]:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${Version}\\n", *packages], capture_output=True, text=True
    )
    return dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)


def kill_namespace(ns_file: Path) -> None:
    """Stop every process still living in the lab's network namespace (named in ``ns_file``)."""
    if not ns_file.exists():
        return
    target = ns_file.read_text().strip()
    if target == host_netns():
        raise RuntimeError(f"{ns_file} names the machine's own network namespace: refusing to kill anything")
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = [p for p in _pids_in(target) if p != os.getpid()]
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        if pids:
            time.sleep(1.5)


HOST_NS_ENV = "BP_MTA_LAB_HOST_NS"


def own_namespaces() -> dict[str, str]:
    return {ns: os.readlink(f"/proc/self/ns/{ns}") for ns in ("net", "mnt", "uts")}


def host_namespaces() -> dict[str, str]:
    """The machine's namespaces: passed down by ``run.enter()``, else the caller's own (the outer run)."""
    passed = os.environ.get(HOST_NS_ENV)
    return json.loads(passed) if passed else own_namespaces()


def host_netns() -> str:
    """The machine's own network namespace: the lab never kills anything in it."""
    return host_namespaces()["net"]


def _pids_in(netns: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "ns" / "net") == netns:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def purge(mta: str) -> list[str]:
    """Remove what ``install(mta)`` recorded; return the paths removed."""
    path = record_path(mta)
    if not path.exists():
        return []
    record = json.loads(path.read_text())
    kill_namespace(STATE / f"netns-{mta}")
    installed = [p for p in record.get("packages", []) if _is_installed(p)]
    if installed:
        proc = offline([*APT, "purge", *installed], timeout=600)
        if proc.returncode:
            raise RuntimeError(f"purge of {installed} failed: {proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    removed = _remove_paths([*record.get("paths", []), *_runtime_paths(mta)])
    _remove_accounts(record.get("users", []), record.get("groups", []))
    _remove_allow_lines(record.get("allow_added", []))
    if record.get("policy_rc_d"):
        POLICY.unlink(missing_ok=True)
    path.unlink()
    (STATE / f"netns-{mta}").unlink(missing_ok=True)
    if STATE.is_dir() and not any(STATE.iterdir()):
        STATE.rmdir()
    return removed


# Paths the MTAs write while running, outside the folders their packages created. Only names
# like these are removed from the after-run difference: other helpers share the machine.
_MTA_NAMES = re.compile(r"mail|postfix|exim|smtpd|sendmail|mqueue|aliases|smm|dead\.letter")


def _runtime_paths(mta: str) -> list[str]:
    before_file = STATE / f"before-{mta}.json"
    if not before_file.exists():
        return []
    before = set(json.loads(before_file.read_text()))
    before_file.unlink()
    return [p for p in _paths() - before if _MTA_NAMES.search(p)]


def _is_installed(package: str) -> bool:
    out = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Status}", package], capture_output=True, text=True)
    return out.stdout.strip() not in ("", "not-installed")


def _remove_paths(paths: list[str]) -> list[str]:
    removed = []
    for p in sorted(set(paths), key=len, reverse=True):
        path = Path(p)
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        else:
            continue
        removed.append(p)
    return removed


def _remove_accounts(users: list[str], groups: list[str]) -> None:
    for user in users:
        if user in _names("/etc/passwd"):
            subprocess.run(["userdel", user], capture_output=True)
    for group in groups:
        if group in _names("/etc/group"):
            subprocess.run(["groupdel", group], capture_output=True)


def _remove_allow_lines(lines: list[str]) -> None:
    allow = Path("/etc/hosts.allow")
    if lines and allow.exists():
        keep = [line for line in allow.read_text().splitlines() if line not in lines]
        allow.write_text("".join(f"{line}\n" for line in keep))
