"""The lab's SMTP peers (aiosmtpd): scripted remotes per lab domain and a DSN collector.

Each remote answers each recipient as the plan scripts it — at RCPT, or after end of DATA —
and appends what it told whom to a JSON-lines log, so the truth records what each recipient
was really told. The collector files every message it receives as one ``.eml`` (with the
``Return-Path``/``Delivered-To`` lines a local delivery agent would add), for MTAs without a
Maildir delivery of their own.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from .plan import COLLECTOR_IP, HOSTS, Message, scripted_reply
from .replies import smtp_reply


class Teller:
    """Thread-safe JSON-lines log of every reply the remotes gave."""

    def __init__(self, path: Path, t0: float) -> None:
        self.path, self.t0, self.lock = path, t0, threading.Lock()

    def told(self, host: str, address: str, stage: str, code: str, enhanced, text: str) -> None:
        row = {"t": round(time.time() - self.t0, 1), "host": host, "address": address, "stage": stage}
        row.update(code=code, enhanced=enhanced, text=text)
        with self.lock, self.path.open("a") as fh:
            fh.write(json.dumps(row) + "\n")


class Remote:
    """aiosmtpd handler for one lab MX: scripted replies per recipient."""

    def __init__(self, host: str, scripts: dict, teller: Teller, accept_after: float) -> None:
        self.host, self.scripts, self.teller, self.accept_after = host, scripts, teller, accept_after

    def _reply(self, address: str) -> dict | None:
        plan = self.scripts.get(address.lower())
        if plan is None:
            return None
        rcpt, reply = plan
        if rcpt.slot == "T4" and time.time() - self.teller.t0 >= self.accept_after:
            return None
        return reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self._reply(address)
        if reply and reply["stage"] == "rcpt":
            self.teller.told(self.host, address, "rcpt", reply["code"], reply["enhanced"], reply["text"])
            return smtp_reply(reply["code"], reply["enhanced"], reply["text"])
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        replies = [(a, self._reply(a)) for a in envelope.rcpt_tos]
        scripted = [r for _, r in replies if r and r["stage"] == "after-data"]
        code, enhanced, text = (
            ("250", "2.0.0", "Ok: queued")
            if not scripted
            else (scripted[0]["code"], scripted[0]["enhanced"], scripted[0]["text"])
        )
        for address, _ in replies:
            self.teller.told(self.host, address, "after-data", code, enhanced, text)
        return smtp_reply(code, enhanced, text)


class Collector:
    """aiosmtpd handler that files each received message under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.count = folder, 0
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        head = f"Return-Path: <{envelope.mail_from}>\r\nDelivered-To: {', '.join(envelope.rcpt_tos)}\r\n"
        name = self.folder / f"{time.time():.6f}.{self.count}.eml"
        tmp = name.with_suffix(".tmp")
        tmp.write_bytes(head.encode() + envelope.original_content)
        tmp.rename(name)
        return "250 2.0.0 Ok: filed"


def start_servers(
    plan: list[Message], log: Path, collect_dir: Path, t0: float, accept_after: float
) -> list[Controller]:
    """Start one scripted remote per lab host (not the dead one) and the collector; return them."""
    teller = Teller(log, t0)
    scripts = {r.address.lower(): (r, scripted_reply(r)) for m in plan for r in m.recipients}
    controllers = []
    for domain, ip in HOSTS.items():
        if domain == "dead.lab":
            continue  # nothing listens there: connections are refused until the queue gives up
        mine = {a: s for a, s in scripts.items() if a.endswith("@" + domain)}
        handler = Remote(f"mx.{domain}", mine, teller, accept_after)
        controllers.append(Controller(handler, hostname=ip, port=25, server_hostname=f"mx.{domain}"))
    controllers.append(
        Controller(Collector(collect_dir), hostname=COLLECTOR_IP, port=25, server_hostname="collect.lab")
    )
    for c in controllers:
        c.start()
    return controllers
