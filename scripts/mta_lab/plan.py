"""The lab's messages, what each remote tells each recipient, and what the DSNs should say.

A plan is a list of messages; each recipient has a *slot*: a scripted vendor reply at RCPT or
after end of DATA ("R5:hard", "D5:block", "R4:soft", …), "T4" (4xx until the remote starts
accepting), "OK" (accepted, NOTIFY=SUCCESS), "DEAD" (a host that refuses connections) or "NX"
(a domain that does not resolve). ``expected_notices()`` gives, per recipient, the notices the
MTA should write in order, each with the truth the classifier is scored against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .replies import fill, pick_replies

# Lab domains -> the loopback address of their MX (inside the lab's network namespace).
HOSTS = {"a.lab": "127.0.0.2", "b.lab": "127.0.0.3", "c.lab": "127.0.0.4", "dead.lab": "127.0.0.5"}
NX_DOMAIN = "nx.lab"
COLLECTOR_IP = "127.0.0.9"
BOUNCE_DOMAIN = "bounce.lab"

# (slot, domain) per recipient. Messages m01-m12 fail at once (the CI subset); the others need
# retries, a queue expiry or a success notice. A data-stage slot is alone on its domain in a
# message: after end of DATA one reply answers the whole transaction.
MESSAGES: list[list[tuple[str, str]]] = [
    [("R5:hard", "a.lab"), ("R5:block", "b.lab")],
    [("R5:hard", "a.lab"), ("R5:hard", "a.lab"), ("NX", NX_DOMAIN)],
    [("D5:block", "b.lab"), ("R5:soft", "a.lab")],
    [("R5:block", "c.lab")],
    [("D5:soft", "c.lab"), ("R5:hard", "a.lab")],
    [("NX", NX_DOMAIN)],
    [("R5:hard", "b.lab"), ("R5:block", "b.lab"), ("ACCEPT", "a.lab")],
    [("D5:block", "a.lab")],
    [("R5:block", "c.lab"), ("R5:soft", "c.lab")],
    [("D5:block", "b.lab"), ("R5:hard", "c.lab")],
    [("D5:soft", "a.lab")],
    [("R5:hard", "a.lab"), ("R5:block", "a.lab"), ("R5:block", "b.lab")],
    [("R4:soft", "a.lab"), ("R5:hard", "b.lab")],
    [("R4:soft", "b.lab")],
    [("R4:block", "c.lab")],
    [("D4:soft", "a.lab")],
    [("DEAD", "dead.lab"), ("R5:block", "a.lab")],
    [("DEAD", "dead.lab")],
    [("T4", "b.lab")],
    [("OK", "a.lab")],
    [("OK", "c.lab"), ("R5:hard", "c.lab")],
]
QUICK_MESSAGES = 12
IMMEDIATE = ("R5", "D5", "NX")
# T4 recipients are refused with this soft reply until the remote starts accepting.
T4_KIND = "R4:soft"


@dataclass
class Recipient:
    """One planned recipient: its address, slot and (for scripted slots) the vendor entry."""

    address: str
    slot: str
    domain: str
    entry: dict | None = None
    notify_success: bool = False

    @property
    def family(self) -> str:
        return self.slot.split(":")[0]


@dataclass
class Message:
    """One planned message: its id (m01…), envelope token and recipients."""

    mid: str
    recipients: list[Recipient] = field(default_factory=list)

    @property
    def quick(self) -> bool:
        return all(r.family in IMMEDIATE or r.family == "ACCEPT" for r in self.recipients)


def build_plan(entries: list[dict]) -> list[Message]:
    """Return the messages with vendor entries assigned to their slots (deterministic)."""
    pools = pick_replies(entries)
    used: dict[str, int] = {}
    plan = []
    for i, slots in enumerate(MESSAGES, 1):
        msg = Message(mid=f"m{i:02d}")
        for j, (slot, domain) in enumerate(slots):
            rcpt = Recipient(address=f"u{i:02d}{'abcdef'[j]}@{domain}", slot=slot, domain=domain)
            kind = T4_KIND if slot == "T4" else slot
            if ":" in kind:
                pool = pools[kind]
                rcpt.entry = pool[used.get(kind, 0) % len(pool)]
                used[kind] = used.get(kind, 0) + 1
            rcpt.notify_success = slot in ("OK", "T4")
            msg.recipients.append(rcpt)
        plan.append(msg)
    return plan


def _labels(entry: dict) -> tuple[str, str, list[str]]:
    labels = entry["labels"]
    return labels["category"], labels["reason"], list(labels.get("reason_alternatives") or [])


def expected_notices(rcpt: Recipient) -> list[dict]:
    """Return the notices the MTA should write about ``rcpt``, in order, with their truth.

    Each item: ``notice`` (failed / delayed / expired / delivered) and the classifier's
    expected ``action``, ``category``, ``reason`` plus accepted alternatives. A delayed notice is
    category ``deferred`` (the classifier's contract for Action: delayed); an expired one is a
    final failure (``failed`` / soft / ``expired``) whatever the last 4xx said, with the vendor's
    reading accepted as an alternative.
    """
    fam = rcpt.family
    if fam == "ACCEPT":
        return []
    if fam == "NX":
        return [_truth("failed", "failed", "hard", "hostunknown")]
    if fam == "OK":
        return [_truth("delivered", "delivered", "delivered", "delivered")]
    if fam == "DEAD":
        return [
            _truth("delayed", "delayed", "deferred", "networkerror", ["expired"]),
            _truth("expired", "failed", "soft", "expired", ["networkerror"]),
        ]
    assert rcpt.entry is not None  # only OK and DEAD slots have no scripted reply
    category, reason, alts = _labels(rcpt.entry)
    if fam in ("R5", "D5"):
        return [_truth("failed", "failed", category, reason, alts)]
    delayed = _truth("delayed", "delayed", "deferred", reason, alts)
    if fam == "T4":
        return [delayed, _truth("delivered", "delivered", "delivered", "delivered")]
    return [delayed, _truth("expired", "failed", "soft", "expired", [reason, *alts], [category])]


def _truth(notice, action, category, reason, alts=(), category_alts=()) -> dict:
    return {
        "notice": notice,
        "action": action,
        "category": category,
        "reason": reason,
        "reason_alternatives": [a for a in alts if a != reason],
        "category_alternatives": [c for c in category_alts if c != category],
    }


def scripted_reply(rcpt: Recipient) -> dict | None:
    """Return what the remote answers ``rcpt`` with: stage, code, enhanced status, text, or None (accept)."""
    if rcpt.entry is None:
        return None
    e = rcpt.entry
    stage = "after-data" if rcpt.slot.startswith("D") else "rcpt"
    text = (fill(e["text"]) or "").replace("{rcpt}", rcpt.address).replace("{sender}", "bounces@" + BOUNCE_DOMAIN)
    return {
        "stage": stage,
        "code": e["reply_code"],
        "enhanced": e["enhanced_status"],
        "text": text,
        "vendor_id": e["id"],
    }
