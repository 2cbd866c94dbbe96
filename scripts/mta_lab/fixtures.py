"""Turn a lab run's notices into committed fixtures with their ground truth, and compare runs.

``truth.json`` maps each ``.eml`` to its message and its recipients in the order the notice
names them. For each: the address, which notice it is (failed / delayed / expired /
delivered — decided from the plan and the arrival time, never from the notice's own fields),
the classifier's expected action / category / reason (with accepted alternatives), what the
remote really told it, and, for comparing regenerated runs, the Action/Status the MTA wrote.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import json
import re
from pathlib import Path

from .plan import HOSTS, NX_DOMAIN, Message, expected_notices, scripted_reply

# A notice about a retried recipient that arrives later than this (seconds after submission)
# is its expiry; earlier ones are delay warnings (warnings come after ~2-4 min, expiries ≥ 8).
EXPIRY_AFTER = 420.0


def dsn_fields(raw: bytes) -> dict[str, dict]:
    """Return address -> {"action", "status"} from the message/delivery-status part(s)."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    fields: dict[str, dict] = {}
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for group in part.get_payload() or []:
            if not isinstance(group, email.message.Message):
                continue
            rcpt = group.get("Final-Recipient") or group.get("Original-Recipient")
            if rcpt:
                address = re.sub(r"^\s*[\w-]+\s*;\s*", "", str(rcpt)).strip().strip("<>").lower()
                fields[address] = {
                    "action": str(group.get("Action", "")).strip().lower(),
                    "status": str(group.get("Status", "")).strip(),
                }
    return fields


def _reported(addresses: list[str], written: dict[str, dict]) -> list[str]:
    """The planned addresses a notice is about: those its delivery-status part names, when it
    names any (sendmail's transcript also quotes recipients deferred in the same session)."""
    named = [a for a in addresses if a.lower() in written]
    return named or addresses


def _notice_kind(rcpt, arrived: float, accept_after: float) -> str:
    kinds = [e["notice"] for e in expected_notices(rcpt)]
    if rcpt.family == "T4":
        return "delivered" if arrived >= accept_after else "delayed"
    if "expired" in kinds:
        return "expired" if arrived >= EXPIRY_AFTER else "delayed"
    return kinds[0] if kinds else "unexpected"


def _told(rcpt, told_rows: list[dict], until: float) -> list[dict]:
    if rcpt.family == "NX":
        return [{"stage": "dns", "text": f"NXDOMAIN for {NX_DOMAIN} (MX and A)"}]
    if rcpt.family == "DEAD":
        return [{"stage": "connect", "text": f"connection refused: nothing listens on {HOSTS['dead.lab']}:25"}]
    rows = [r for r in told_rows if r["address"].lower() == rcpt.address.lower() and r["t"] <= until]
    distinct: dict[tuple, dict] = {}
    for r in rows:
        key = (r["stage"], r["code"], r["enhanced"], r["text"])
        item = distinct.setdefault(
            key, {"stage": r["stage"], "code": r["code"], "enhanced": r["enhanced"], "text": r["text"], "times": 0}
        )
        item["times"] += 1
    return list(distinct.values())


def build_truth(
    plan: list[Message], notices: list[dict], told_rows: list[dict], notice_dir: Path, accept_after: float
) -> tuple[dict, dict]:
    """Return (files truth keyed by new file name, old name -> new name)."""
    by_address = {r.address: (m, r) for m in plan for r in m.recipients}
    files: dict[str, dict] = {}
    renames: dict[str, str] = {}
    per_message: dict = {}
    for n in notices:
        if not n["addresses"]:
            continue  # not about a planned recipient (e.g. a postmaster copy): not a fixture
        msg = by_address[n["addresses"][0]][0]
        per_message[msg.mid] = per_message.get(msg.mid, 0) + 1
        name = f"{msg.mid}-{per_message[msg.mid]}.eml"
        written = dsn_fields((notice_dir / n["file"]).read_bytes())
        rows = []
        for address in _reported(n["addresses"], written):
            _, rcpt = by_address[address]
            kind = _notice_kind(rcpt, n["t"], accept_after)
            truth = next((e for e in expected_notices(rcpt) if e["notice"] == kind), {"notice": kind})
            reply = scripted_reply(rcpt)
            rows.append(
                {
                    "address": address,
                    **truth,
                    "slot": rcpt.slot,
                    "vendor_id": reply["vendor_id"] if reply else None,
                    "told": _told(rcpt, told_rows, n["t"]),
                    "dsn": written.get(address.lower(), {}),
                }
            )
        files[name] = {"message": msg.mid, "arrived_s": n["t"], "recipients": rows}
        renames[n["file"]] = name
    return files, renames


def missing(plan: list[Message], files: dict) -> list[dict]:
    """Return the expected notices that never came (per recipient and kind)."""
    got = {(r["address"], r["notice"]) for f in files.values() for r in f["recipients"]}
    return [
        {"address": r.address, "notice": e["notice"]}
        for m in plan
        for r in m.recipients
        for e in expected_notices(r)
        if (r.address, e["notice"]) not in got
    ]


def write_fixtures(out: Path, work: Path, plan: list[Message], meta: dict, accept_after: float) -> dict:
    """Write ``out/*.eml`` and ``out/truth.json`` from the run in ``work``; return the truth."""
    run = json.loads((work / "notices.json").read_text())
    told_path = work / "told.jsonl"
    told_rows = [json.loads(line) for line in told_path.read_text().splitlines()] if told_path.exists() else []
    files, renames = build_truth(plan, run["notices"], told_rows, work / "notices", accept_after)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.eml"):
        old.unlink()
    for old_name, new_name in renames.items():
        (out / new_name).write_bytes((work / "notices" / old_name).read_bytes())
    truth = {**meta, "files": dict(sorted(files.items())), "missing": missing(plan, files)}
    (out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    return truth


def signature(files: dict, messages: set[str]) -> dict:
    """Return (message, addresses) -> [(address, notice, dsn action, dsn status)] for comparing runs."""
    sig = {}
    for f in files.values():
        if f["message"] in messages:
            # Sorted: the order an MTA lists recipients in can follow which remote answered first.
            key = (f["message"], tuple(sorted(r["address"] for r in f["recipients"])))
            rows = [
                (r["address"], r["notice"], r["dsn"].get("action"), r["dsn"].get("status")) for r in f["recipients"]
            ]
            sig[key] = sorted(rows)
    return sig
