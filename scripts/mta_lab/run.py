"""The lab run itself, inside its own network, mount and UTS namespaces (see ``enter()``).

Brings ``lo`` up, names the host ``mta.lab``, points /etc/resolv.conf at the lab's DNS server,
starts the scripted remotes and the collector on 127.0.0.2… port 25, configures and starts the
MTA, submits the plan's messages over SMTP with DSN options, and waits until every expected
notice has arrived (or a deadline passes). Notices are copied to ``work/notices`` with their
arrival time; what the remotes told is in ``work/told.jsonl``.
"""

from __future__ import annotations

import email.policy
import json
import os
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from . import dnsd, servers
from .mtas import get, run, wait_port
from .plan import BOUNCE_DOMAIN, Message, build_plan, expected_notices
from .replies import load_replies
from .system import HOST_NS_ENV, STATE, kill_namespace, own_namespaces

ACCEPT_AFTER = 270.0  # seconds after submission when the T4 remote starts accepting
QUICK_DEADLINE = 75.0
FULL_DEADLINE = 900.0


def enter(mta: str, work: Path, quick: bool) -> int:
    """Run ``inner()`` in new network/mount/UTS namespaces; return its exit code."""
    cmd = [
        "unshare",
        "-n",
        "-m",
        "-u",
        "--propagation",
        "private",
        sys.executable,
        "-m",
        "scripts.mta_lab",
        "_inner",
        mta,
        str(work),
    ]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), HOST_NS_ENV: json.dumps(own_namespaces())}
    return subprocess.run([*cmd, *(["--quick"] if quick else [])], cwd=root, env=env).returncode


def _isolate(work: Path, ns_file: Path) -> None:
    # Everything below (host name, bind mounts, port 25, killing the namespace's processes at
    # the end) is only safe in namespaces of our own: refuse to run in the machine's.
    host = json.loads(os.environ.get(HOST_NS_ENV) or "{}")
    mine = own_namespaces()
    if not host or any(mine[ns] == host.get(ns) for ns in mine):
        raise SystemExit(
            "the lab run must be started by run.enter() (unshare -n -m -u), never in the machine's namespaces"
        )
    ns_file.write_text(os.readlink("/proc/self/ns/net"))
    run("ip", "link", "set", "lo", "up")
    # A non-loopback address (a veth pair with both ends in this namespace, TEST-NET-1): with
    # only loopback, getaddrinfo's AI_ADDRCONFIG finds no IPv4 and OpenSMTPD resolves no MX host.
    run("ip", "link", "add", "lab0", "type", "veth", "peer", "name", "lab1")
    run("ip", "addr", "add", "192.0.2.1/32", "dev", "lab0")
    run("ip", "link", "set", "lab0", "up")
    run("ip", "link", "set", "lab1", "up")
    run("hostname", "mta.lab")
    (work / "resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:2\n")
    (work / "hosts").write_text("127.0.0.1\tlocalhost\n127.0.0.1\tmta.lab mta\n")
    run("mount", "--bind", str(work / "resolv.conf"), "/etc/resolv.conf")
    run("mount", "--bind", str(work / "hosts"), "/etc/hosts")


def submit(msg: Message, dsn: bool) -> None:
    """Send one planned message to the MTA on 127.0.0.1:25 (DSN options when it offers DSN)."""
    em = EmailMessage()
    em["From"] = f"BouncePortal Lab <training@{BOUNCE_DOMAIN}>"
    em["To"] = "undisclosed-recipients:;"
    em["Subject"] = f"Security awareness training {msg.mid}"
    em["Message-ID"] = f"<lab{msg.mid}.t0k{msg.mid}@{BOUNCE_DOMAIN}>"
    em.set_content(f"Hello,\n\nthis is lab message {msg.mid}.\n")
    with smtplib.SMTP("127.0.0.1", 25, local_hostname="client.lab", timeout=30) as smtp:
        smtp.ehlo()
        dsn = dsn and smtp.has_extn("dsn")
        smtp.mail(f"bounces+{msg.mid}@{BOUNCE_DOMAIN}", ["RET=HDRS", f"ENVID=lab-{msg.mid}"] if dsn else [])
        for r in msg.recipients:
            opts = ["NOTIFY=SUCCESS,DELAY,FAILURE"] if dsn and r.notify_success else []
            code, text = smtp.rcpt(r.address, opts)
            if code >= 400:
                raise RuntimeError(f"the MTA refused {r.address}: {code} {text!r}")
        # CRLF line ends: sendmail refuses bare LF ("421 4.5.0 Bare linefeed (LF) not allowed").
        code, text = smtp.data(em.as_bytes(policy=email.policy.SMTP))
        if code != 250:
            raise RuntimeError(f"the MTA refused {msg.mid}: {code} {text!r}")


def _done(plan: list[Message], notices: list[dict]) -> bool:
    """True when every recipient appeared in at least as many notices as it should."""
    seen: dict[str, int] = {}
    for n in notices:
        for a in n["addresses"]:
            seen[a] = seen.get(a, 0) + 1
    return all(seen.get(r.address, 0) >= len(expected_notices(r)) for m in plan for r in m.recipients)


def collect(folder: Path, out: Path, plan: list[Message], notices: list[dict], t0: float) -> None:
    """Move new notice files from ``folder`` to ``out``, noting arrival time and planned addresses."""
    addresses = [r.address for m in plan for r in m.recipients]
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.name.endswith(".tmp") or not path.is_file():
            continue
        raw = path.read_bytes()
        text = raw.decode("latin-1").lower()
        found = sorted((text.find(a.lower()), a) for a in addresses if a.lower() in text)
        name = f"{len(notices) + 1:03d}.eml"
        (out / name).write_bytes(raw)
        path.unlink()
        notices.append({"file": name, "t": round(time.time() - t0, 1), "addresses": [a for _, a in found]})


def inner(mta_name: str, work: Path, quick: bool) -> None:
    """The lab run (must already be inside the namespaces made by ``enter()``)."""
    _isolate(work, STATE / f"netns-{mta_name}")
    plan = build_plan(load_replies())
    if quick:
        plan = [m for m in plan if m.quick]
    mta = get(mta_name, work)
    out = work / "notices"
    out.mkdir(parents=True, exist_ok=True)
    dns = dnsd.start(log=str(work / "dns.log"))
    t0 = time.time()
    controllers = servers.start_servers(plan, work / "told.jsonl", work / "collected", t0, ACCEPT_AFTER)
    mta.configure()
    mta.start()
    notices: list[dict] = []
    try:
        wait_port("127.0.0.1", 25)
        for msg in plan:
            submit(msg, dsn=True)
        _wait(mta, plan, notices, out, t0, QUICK_DEADLINE if quick else FULL_DEADLINE)
    finally:
        mta.stop()
        # Whatever the MTA left running (daemons that ignore their stop command) lives in this
        # namespace: stop it by pid here, so nothing outlives the run.
        kill_namespace(STATE / f"netns-{mta_name}")
        for c in controllers:
            c.stop()
        for s in dns:
            s.shutdown()
        (work / "notices.json").write_text(json.dumps({"t0": t0, "notices": notices}, indent=1))


def _wait(mta, plan, notices, out, t0, deadline) -> None:
    last_kick = 0.0
    while time.time() - t0 < deadline:
        collect(mta.dsn_folder(), out, plan, notices, t0)
        if _done(plan, notices):
            time.sleep(10)  # a straggler (a second notice for the same message) still gets in
            collect(mta.dsn_folder(), out, plan, notices, t0)
            return
        if time.time() - last_kick >= 30:
            mta.kick()
            last_kick = time.time()
        time.sleep(2)
