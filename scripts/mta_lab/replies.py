"""Scripted SMTP replies drawn from ``../shared/vendor-replies/replies.json`` by their labels.

``pick_replies()`` returns, per slot kind ("R5:hard", "D5:block", "R4:soft", …), the vendor
entries usable for it, in a fixed pseudo-random order (a hash of the id, so the choice does not
depend on which entries we like). Placeholders in the documented texts are filled with the lab's
own values; entries with a placeholder we cannot fill, non-ASCII text or a code an MTA would not
take at that stage are left out.

Only the *used* part of the vendor replies is ever scripted (:func:`in_used_part`, the split of
``bounceportal.classifier.score.in_part`` by reply id): the quarter set aside for measuring how
well the classifier generalizes never reaches the lab's remotes, so no committed fixture quotes it.
"""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from pathlib import Path

from bounceportal.classifier.score import in_part

REPLIES = Path(__file__).resolve().parents[2] / ".." / "shared" / "vendor-replies" / "replies.json"

CLIENT_IP = "127.0.0.1"
SENDER_DOMAIN = "bounce.lab"
MTA_HOSTNAME = "mta.lab"

# Codes a remote may give at RCPT / after end of DATA. 552 at RCPT is left out on purpose:
# RFC 5321 (4.5.3.1.10) tells clients to treat it as temporary, so the truth would be unclear.
RCPT_CODES = {"550", "551", "553", "554", "450", "451", "452"}
DATA_CODES = {"550", "552", "554", "450", "451", "452"}

_IP = r"(?:client_ip|client_addr|ip address|ip-address|\$ConnectingIP|IP1\.IP2\.IP3\.IP4|xxx\.xxx\.xxx\.xxx|x\.x\.x\.x|IP_host|<client_ip>|IP)"
_FILL = [
    (re.compile(r"<(?:recipient|EMAIL|example@[\w.]+)>"), "{rcpt}"),
    (re.compile(r"<sender>"), "{sender}"),
    (re.compile(r"[<\[]" + _IP + r"[>\]]"), CLIENT_IP),
    (re.compile(r"<domain>|\[domain-name\]|\[\$SenderDomain\]"), SENDER_DOMAIN),
    (re.compile(r"<(?:helo_name|myhostname|hostname)>"), MTA_HOSTNAME),
]
# Anything still looking like a template placeholder after filling disqualifies the entry.
_LEFT = re.compile(r"<[a-z_ ]+>|\[\$\w+\]|\{[^}]*\}")


def load_replies(path: Path = REPLIES) -> list[dict]:
    """Return the vendor reply entries (raises FileNotFoundError when the folder is absent)."""
    return json.loads(path.read_text())


def fill(text: str) -> str | None:
    """Return ``text`` with its placeholders filled (``{rcpt}``/``{sender}`` left for later), or None."""
    for rx, value in _FILL:
        text = rx.sub(value, text)
    if _LEFT.search(text.replace("{rcpt}", "").replace("{sender}", "")) or not text.isascii():
        return None
    return text


def in_used_part(entry: dict) -> bool:
    """True when ``entry`` belongs to the used part of the vendor replies (the only ones scripted)."""
    return in_part(str(entry["id"]), "used")


def _order(entry: dict) -> str:
    return hashlib.sha1(f"mta-lab:{entry['id']}".encode()).hexdigest()


def _stage_of(entry: dict) -> str | None:
    """Where the lab gives this reply: "R" (RCPT), "D" (after DATA) or None (not usable)."""
    code, stage = entry["reply_code"], entry["stage"]
    if not code:
        return None
    enh = entry["enhanced_status"]
    if enh and enh[0] != code[0]:
        return None
    if stage in ("data", "after-data") and code in DATA_CODES:
        return "D"
    if stage in (None, "rcpt") and code in RCPT_CODES:
        return "R"
    return None


def slot_kind(entry: dict) -> str | None:
    """Return the slot kind an entry can fill ("R5:hard", "D4:soft", …) or None."""
    where = _stage_of(entry)
    category = entry["labels"]["category"]
    if where is None or category not in ("hard", "soft", "block") or fill(entry["text"]) is None:
        return None
    if category == "hard" and entry["reply_code"][0] == "4":
        return None
    return f"{where}{entry['reply_code'][0]}:{category}"


def pick_replies(entries: list[dict]) -> dict[str, list[dict]]:
    """Return usable entries of the used part per slot kind, in hash order, spreading reasons first."""
    pools: dict[str, list[dict]] = {}
    for entry in sorted(filter(in_used_part, entries), key=_order):
        kind = slot_kind(entry)
        if kind:
            pools.setdefault(kind, []).append(entry)
    for kind, pool in pools.items():
        # One entry per reason first, then the rest, so a slot family covers many reasons.
        seen: set[str] = set()
        first = []
        for entry in pool:
            if entry["labels"]["reason"] not in seen:
                seen.add(entry["labels"]["reason"])
                first.append(entry)
        pools[kind] = first + [e for e in pool if e not in first]
    return pools


def smtp_reply(code: str, enhanced: str | None, text: str) -> str:
    """Return the reply as an SMTP server sends it, wrapped into continuation lines (≤ ~300 chars)."""
    prefix = f"{enhanced} " if enhanced else ""
    lines = textwrap.wrap(text, 280) or [""]
    return "\r\n".join(f"{code}{'-' if i < len(lines) - 1 else ' '}{prefix}{line}" for i, line in enumerate(lines))
