"""Score the classifier on the DSNs real MTAs wrote in the lab (tests/fixtures/mta_dsns/<mta>/).

A recipient counts right for action when the classifier's action equals the truth's
(``delivered`` also matches ``relayed``/``expanded``, the other success actions of RFC 3464);
for reason when it is the truth's reason or one of its accepted alternatives; for category
when it is the truth's category or one of its alternatives. A recipient the classifier does
not report at all is wrong on all three.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bounceportal.classifier import classify

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mta_dsns"
SUCCESS_ACTIONS = ("delivered", "relayed", "expanded")


@dataclass
class Score:
    """Counts per MTA, and what was missed (file, address, field, expected, got)."""

    mta: str
    total: int = 0
    right: dict[str, int] = field(default_factory=lambda: {"category": 0, "reason": 0, "action": 0})
    misses: list[tuple] = field(default_factory=list)
    by_notice: dict[str, list[int]] = field(default_factory=dict)  # notice -> [recipients, all three right]

    def rate(self, what: str) -> float:
        return 100.0 * self.right[what] / self.total if self.total else 0.0

    def line(self) -> str:
        rates = " / ".join(f"{self.rate(w):.1f} %" for w in ("category", "reason", "action"))
        notices = ", ".join(f"{k} {v[1]}/{v[0]}" for k, v in sorted(self.by_notice.items()))
        return (
            f"{self.mta}: {self.total} recipients, category / reason / action {rates} (all right per notice: {notices})"
        )


def mtas_with_fixtures() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if (p / "truth.json").is_file()) if FIXTURES.is_dir() else []


def truth_for(mta: str) -> dict:
    return json.loads((FIXTURES / mta / "truth.json").read_text())


def _action_ok(want: str, got: str) -> bool:
    return got == want or (want == "delivered" and got in SUCCESS_ACTIONS)


def score(mta: str) -> Score:
    """Classify every fixture of ``mta`` through the public API and count what agrees with the truth."""
    result = Score(mta)
    for name, entry in truth_for(mta)["files"].items():
        got = {r.address.lower(): r for r in classify((FIXTURES / mta / name).read_bytes()).recipients}
        for want in entry["recipients"]:
            result.total += 1
            r = got.get(want["address"].lower())
            checks = {
                "action": r is not None and _action_ok(want["action"], r.action),
                "reason": r is not None and r.reason in (want["reason"], *want["reason_alternatives"]),
                "category": r is not None and r.category in (want["category"], *want["category_alternatives"]),
            }
            tally = result.by_notice.setdefault(want["notice"], [0, 0])
            tally[0] += 1
            tally[1] += all(checks.values())
            for what, ok in checks.items():
                if ok:
                    result.right[what] += 1
                else:
                    result.misses.append((name, want["address"], what, want[what], getattr(r, what, None)))
    return result
