"""The record of one decision, and the phrase-table reading every step of it shares.

:func:`.reasons.decide` resolves a recipient's reason in a documented order (its module doc);
each step, wherever it lives (:mod:`.specific` for steps 1-3, :mod:`.settling` for the
corrections of step 4 and 8, :mod:`.fallbacks` for steps 5-6), writes what fired into one
:class:`Decision`. This module owns that record, the squashing every text goes through, and
the screened phrase tables (:data:`GATED_PHRASES`, read in table order) that steps 3, 4 and 6
consult.
"""

from __future__ import annotations

from .phrasegate import GatedGroups
from .phrases import PHRASE_NAMES, PHRASES

GATED_PHRASES = GatedGroups(PHRASES)


class Decision:
    """The reason for one recipient, the stage it was refused at, and why."""

    __slots__ = ("blocklist", "evidence", "filter_product", "provider", "reason", "sender_side", "stage")

    def __init__(self, reason: str = "", stage: str = "") -> None:
        self.reason, self.stage = reason, stage
        self.sender_side: bool | None = None  # None: the reason's default (taxonomy)
        self.blocklist = self.filter_product = ""
        self.provider = ""  # the provider row (providers.py) that decided, if one did
        self.evidence: list[dict[str, str]] = []

    def note(self, rule: str, text: str) -> None:
        """Record that ``rule`` fired on ``text``."""
        self.evidence.append({"rule": rule, "text": text[:300]})


def squash(text: str) -> str:
    """Return ``text`` lower-cased with every run of white space turned into one space."""
    return " ".join(text.split()).lower()  # str.split(): much faster than a regex here


def phrase_reason(text_lower: str) -> str:
    """Return the first reason (table order) whose phrases occur in ``text_lower``."""
    return GATED_PHRASES.first(text_lower) if text_lower else ""


def status_reason(status: str, table: dict[str, str]) -> str:
    """Return the reason an enhanced status code names in ``table``, or ``""``."""
    if not status or status[0] not in "45":
        return ""
    return table.get(status[2:], "")


def note_phrase(decision: Decision, text: str, where: str) -> str:
    """Return the first phrase-table reason in ``text`` (``""``: none), noted as found in ``where``."""
    reason, index, words = GATED_PHRASES.find(text) if text else ("", -1, "")
    if reason:
        decision.note(f"phrase in the {where}: {PHRASE_NAMES[index]} → {reason}", words)
    return reason
