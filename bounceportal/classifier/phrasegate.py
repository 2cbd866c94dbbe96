"""Fast screening of phrase tables: literal words a regular expression cannot match without.

Matching ~35 groups of regular expressions against every diagnostic is the classifier's
hottest loop, and compiling them is most of its start-up. For each phrase we derive,
once, literal strings one of which must occur in any text the phrase matches (for
``user (?:name )?unknown`` that is ``unknown``). A group is only compiled and searched
when one of its literals is in the text (``str in str`` runs at C speed). Phrases we
cannot screen this way (no mandatory literal of 3+ characters) keep their group always
searched, so screening never changes a result.
"""

from __future__ import annotations

import re

_MIN = 3
_CLASS_ESCAPES = set("bBdDsSwWAZ0123456789")


def literals(pattern: str) -> list[str] | None:
    """Return literals one of which every match of ``pattern`` contains, or None."""
    try:
        return _alternatives(pattern)
    except (IndexError, ValueError):
        return None


def _alternatives(pattern: str) -> list[str] | None:
    found: list[str] = []
    for branch in _split_top(pattern, "|"):
        core = _branch(branch)
        if core is None:
            return None
        found.extend(core)
    return found or None


def _split_top(pattern: str, sep: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _class_end(pattern: str, i: int) -> int:
    j = i + 1
    if pattern[j : j + 1] == "^":
        j += 1
    if pattern[j : j + 1] == "]":
        j += 1
    while pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j


def _group_end(pattern: str, i: int) -> int:
    depth = 0
    while True:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1


def _branch(branch: str) -> list[str] | None:
    """Best mandatory literal set of one branch (no top-level ``|`` inside)."""
    candidates: list[list[str]] = []
    run, i = "", 0
    while i < len(branch):
        c = branch[i]
        if c == "(":
            end = _group_end(branch, i)
            inner = branch[i + 1 : end]
            if inner.startswith("?:"):
                inner = inner[2:]
            elif inner.startswith("?"):  # lookaround and other special groups
                inner = ""
            if run:
                candidates.append([run])
                run = ""
            if inner and branch[end + 1 : end + 2] not in ("?", "*", "{"):
                core = _alternatives(inner)
                if core:
                    candidates.append(core)
            i = end + 1
            continue
        if (c == "\\" and branch[i + 1] in _CLASS_ESCAPES) or c in "[.^$":
            candidates.append([run])
            run = ""
            i = _class_end(branch, i) + 1 if c == "[" else i + (2 if c == "\\" else 1)
            continue
        if c in "?*{+":
            if c == "{":
                i = branch.index("}", i)
            i += 1
            continue
        char = branch[i + 1] if c == "\\" else c
        step = 2 if c == "\\" else 1
        optional = branch[i + step : i + step + 1] in ("?", "*", "{")
        if optional:
            candidates.append([run])
            run = ""
        else:
            run += char
        i += step
    candidates.append([run])
    good = [c for c in candidates if c and min(len(x) for x in c) >= _MIN]
    if not good:
        return None
    return max(good, key=lambda c: (min(len(x) for x in c), -len(c)))


class GatedGroups:
    """Ordered ``(reason, patterns)`` groups searched lazily behind literal screens."""

    def __init__(self, groups: list[tuple[str, tuple[str, ...]]]) -> None:
        # Per group: reason, screen (None: always searched), joined pattern, compiled.
        self._groups: list[tuple[str, tuple[str, ...] | None, str]] = []
        self._compiled: dict[int, re.Pattern[str]] = {}
        for reason, patterns in groups:
            gate: list[str] | None = []
            for pattern in patterns:
                found = literals(pattern)
                if found is None or gate is None:
                    gate = None
                    continue
                gate.extend(found)
            screen = tuple(sorted(set(gate))) if gate is not None else None
            self._groups.append((reason, screen, "|".join(f"(?:{p})" for p in patterns)))

    def first(self, text: str) -> str:
        """Return the first group's reason (table order) with a phrase in ``text``."""
        return self.find(text)[0]

    def find(self, text: str) -> tuple[str, int, str]:
        """Return ``(reason, group index, matched words)`` of the first group that matches.

        ``("", -1, "")`` when no group has a phrase in ``text``. Groups are compiled on
        first use: most texts only ever reach a few of them.
        """
        for index, (reason, gate, pattern) in enumerate(self._groups):
            if gate is not None:
                for word in gate:  # a plain loop: cheaper than any() over a generator
                    if word in text:
                        break
                else:
                    continue
            compiled = self._compiled.get(index)
            if compiled is None:
                compiled = self._compiled[index] = re.compile(pattern)
            found = compiled.search(text)
            if found:
                return reason, index, found.group(0)
        return "", -1, ""
