"""Literal screens: the words a regular expression cannot match without, derived from its text.

For each phrase of the tables we derive, once (a dev step: :mod:`.gen_screens` writes them
into ``_screens.py``), literal strings one of which must occur in any text the phrase matches
(for ``user (?:name )?unknown`` that is ``unknown``): :func:`literals`. :func:`requirements`
and :func:`finer_requirements` give the finer test of every literal set a branch needs, and
:func:`branch_screens` the screen of each branch of a long alternation (searched branch by
branch by :mod:`.lazyre`). :class:`.phrasegate.GatedGroups` searches a pattern only when its
screen is in the text; a pattern with no mandatory literal of 3+ characters has no screen
and is always searched, so screening never changes a result.
"""

from __future__ import annotations

from .lazyre import Requirements
from .regexsyntax import class_end, escape_end, group_end, item_end, split_top
from .spellings import SPELLING_LIMIT, spell_alternatives, spellings

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
    for branch in split_top(pattern, "|"):
        core = _branch_literals(branch)
        if core is None:
            return None
        found.extend(core)
    return found or None


def _branch_literals(branch: str) -> list[str] | None:
    """The literals of one top-level branch: its mandatory literal of 3+ characters, else (a
    branch of short words, "(?:发送|发信)频率") its spellings when each has 3+ characters."""
    core = _branch(branch)
    if core is None:
        spelled = spellings(branch)
        if spelled is not None and all(len(v) >= _MIN for v in spelled[0]):
            return list(spelled[0])
    return core


def _branch(branch: str) -> list[str] | None:
    """Best mandatory literal set of one branch (no top-level ``|`` inside)."""
    good = _mandatory(branch)
    if not good:
        return None
    return max(good, key=lambda c: (min(len(x) for x in c), -len(c)))


def _mandatory(branch: str) -> list[list[str]]:
    """Every mandatory literal set of one branch, in order: each match of the branch holds
    one literal of each set (sets whose literals all have 3+ characters)."""
    candidates: list[list[str]] = []
    run, i = "", 0
    while i < len(branch):
        c = branch[i]
        if c == "(":
            end = group_end(branch, i)
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
        if (c == "\\" and (branch[i + 1] in _CLASS_ESCAPES or branch[i + 1].isalnum())) or c in "[.^$":
            # A class, an anchor, or an escape that is not plain punctuation (\d, \b, \t,
            # \x41, \u2022, \N{...}): the literal run ends there, the escape is skipped whole.
            candidates.append([run])
            run = ""
            i = class_end(branch, i) + 1 if c == "[" else escape_end(branch, i) if c == "\\" else i + 1
            continue
        if c in "?*{+":
            if c == "{":
                i = branch.index("}", i)
            i += 1
            continue
        char = branch[i + 1] if c == "\\" else c
        step = 2 if c == "\\" else 1
        following = branch[i + step : i + step + 1]
        if following in ("?", "*", "{"):
            candidates.append([run])
            run = ""
        elif following == "+":  # "ab+c": "ab" is in every match, "abc" is not
            candidates.append([run + char])
            run = ""
        else:
            run += char
        i += step
    candidates.append([run])
    return [c for c in candidates if c and min(len(x) for x in c) >= _MIN]


def requirements(pattern: str) -> Requirements | None:
    """Return, per top-level branch of ``pattern``, every literal set a match of that branch
    holds one literal of; None when some branch has none (or the pattern is not understood).

    A text can only match when, for some branch, each of its sets has a literal in the text:
    a finer test than :func:`literals` (one set per branch) for a phrase like
    ``sender domain .{0,20} (?:is )?(?:blocked|listed)``, which needs ``sender domain `` and
    one of ``blocked``/``listed``. Besides the mandatory literals, each run of the branch that
    only spells out a few strings gives the set of those strings (:func:`_spelled_runs`):
    ``(?:blocked|refused) by (?:the )?user`` needs one of its four spellings, not just one
    of ``blocked``/``refused``.
    """
    try:
        found = []
        for branch in split_top(pattern, "|"):
            sets = [tuple(sorted(set(c))) for c in _mandatory(branch)] + _spelled_runs(branch)
            if not sets:
                return None
            found.append(tuple(dict.fromkeys(sets)))
        return tuple(found)
    except (IndexError, ValueError):
        return None


def _spelled_runs(branch: str) -> list[tuple[str, ...]]:
    """The string sets of the branch's runs of consecutive spellable items (literals, ``(?:a|b)``
    groups, ``[ae]`` classes, each maybe optional: see :func:`spellings`): every match of the
    branch holds one string of each run's set. Runs of up to ``SPELLING_LIMIT`` strings, each
    of 3+ characters; anything else (``\\b``, ``\\s``, ``.``, repeats, lookarounds) ends a run."""
    found: list[tuple[str, ...]] = []
    run: list[str] = [""]

    def close() -> None:
        if run != [""] and min(len(v) for v in run) >= _MIN:
            # A spelling that holds another one adds nothing: a text with it has the other too.
            kept = {v for v in run if not any(w != v and w in v for w in run)}
            found.append(tuple(sorted(kept)))

    i = 0
    while i < len(branch):
        end = item_end(branch, i)
        try:
            variants, stop = spell_alternatives(branch[i:end], 0)
        except (ValueError, IndexError):
            variants, stop = [], -1
        if stop != end - i or not variants:  # not spellable: the run ends before it
            close()
            run = [""]
        elif len(run) * len(variants) > SPELLING_LIMIT:
            close()
            run = variants
        else:
            run = [a + b for a in run for b in variants]
        i = end
    close()
    return found


# Shorter alternations are not split: compiling them whole costs about what the branch loop
# costs over a batch.
_SPLIT_LENGTH = 100


def branch_screens(pattern: str) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    """Return the top-level branches of ``pattern`` with the literal screen of each (``()``:
    none, the branch is always tried), when it is long (or has no screen as a whole: it is then
    searched in every text, unless its screened branches can be skipped), has three or more,
    some branch has a screen and no group captures (a branch's match is then the alternation's
    match: see :mod:`.lazyre`); else None."""
    if len(pattern) < _SPLIT_LENGTH and literals(pattern) is not None:
        return None
    try:
        if _captures(pattern):
            return None
        found = []
        for branch in split_top(pattern, "|"):
            core = _branch_literals(branch)
            found.append((branch, tuple(sorted(set(core))) if core else ()))
    except (IndexError, ValueError):
        return None
    return tuple(found) if len(found) > 2 and any(words for _, words in found) else None


def _captures(pattern: str) -> bool:
    """True when ``pattern`` has a capturing group (``(x)``, ``(?P<name>x)``) or a backreference."""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if pattern[i + 1 : i + 2].isdigit():
                return True
            i += 2
            continue
        if c == "[":
            i = class_end(pattern, i)
        elif c == "(" and (pattern[i + 1 : i + 2] != "?" or pattern[i + 2 : i + 3] == "P"):
            return True
        i += 1
    return False


def finer_requirements(pattern: str) -> Requirements | None:
    """:func:`requirements` when they test more than the screen does (a branch needs two
    literal sets or more), else None: the screen alone decides."""
    found = requirements(pattern)
    screen = literals(pattern)
    if found is None or screen is None:
        return None
    # The screen alone tests one set per branch, the best mandatory one: nothing finer to add
    # when that is all each branch has.
    best = tuple(tuple(sorted(set(core))) for core in map(_branch, split_top(pattern, "|")) if core)
    return None if all(len(sets) == 1 for sets in found) and tuple(sets[0] for sets in found) == best else found
