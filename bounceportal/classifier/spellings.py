"""The finite set of strings a simple pattern spells out, and the match they give without a regex.

A phrase whose regex only spells out a few variants ("mail ?box (?:is )?full", "gr[ae]y-?list",
"\\bblock(?:ed|listed)? (?:by|using)") is found by :class:`.phrasegate.GatedGroups` with
substring searches (:func:`find_spelling`): the same match as the regex (leftmost, then the
regex's own preference), without compiling it. :func:`spellings` derives them (a dev step:
:mod:`.gen_screens` precomputes them into ``_screens.SPELLINGS``); :mod:`.screening` reads a
branch's spelled runs to build finer screens.
"""

from __future__ import annotations

from .regexsyntax import split_top

SPELLING_LIMIT = 64
_LITERAL_ESCAPES = frozenset(".-'+/@#&:;,!\"=%<>[](){}|?*^$\\ ")
Spellings = tuple[tuple[str, ...], bool, bool]  # (variants in the regex's preference order, \b before, \b after)


def spellings(pattern: str) -> Spellings | None:
    """Return the finite set of strings ``pattern`` matches, or None when it is not that simple.

    Understood: literal characters and escaped punctuation, ``(?:a|b)`` groups, ``[ae]``
    classes of plain characters, a greedy ``?`` after any of them, and ``\\b`` at either end.
    Anything else (``\\d``, ``.``, ``*``, ``+``, ``{n}``, lookarounds...) gives None: the regex is used.
    """
    lead = pattern.startswith("\\b")
    trail = pattern.endswith("\\b") and not pattern.endswith("\\\\b")
    core = pattern[2 if lead else 0 : len(pattern) - (2 if trail else 0)]
    try:
        variants, end = spell_alternatives(core, 0)
    except (ValueError, IndexError):
        return None
    if end != len(core) or not variants or "" in variants:
        return None
    if (lead or trail) and len(split_top(core, "|")) > 1:
        return None  # "\\ba|b\\b": each edge belongs to one branch only
    return tuple(variants), lead, trail


def spell_alternatives(pattern: str, i: int) -> tuple[list[str], int]:
    variants, i = _spell_sequence(pattern, i)
    while i < len(pattern) and pattern[i] == "|":
        more, i = _spell_sequence(pattern, i + 1)
        variants += more
        if len(variants) > SPELLING_LIMIT:
            raise ValueError(pattern)
    return variants, i


def _spell_sequence(pattern: str, i: int) -> tuple[list[str], int]:
    done = [""]
    while i < len(pattern) and pattern[i] not in "|)":
        c = pattern[i]
        if c == "(":
            if not pattern.startswith("(?:", i):
                raise ValueError(pattern)
            atom, i = spell_alternatives(pattern, i + 3)
            if pattern[i] != ")":
                raise ValueError(pattern)
            i += 1
        elif c == "[":
            end = pattern.index("]", i)
            body = pattern[i + 1 : end]
            if not body or any(ch in "^-\\[" for ch in body):
                raise ValueError(pattern)
            atom, i = list(body), end + 1
        elif c == "\\":
            if pattern[i + 1] not in _LITERAL_ESCAPES:
                raise ValueError(pattern)
            atom, i = [pattern[i + 1]], i + 2
        elif c in ".^$*+{}]":
            raise ValueError(pattern)
        else:
            atom, i = [c], i + 1
        if pattern[i : i + 1] == "?":
            if pattern[i + 1 : i + 2] in ("?", "+"):
                raise ValueError(pattern)
            atom, i = [*atom, ""], i + 1  # greedy: with the atom first, as the regex tries it
        elif pattern[i : i + 1] in ("*", "+", "{"):
            raise ValueError(pattern)
        done = [a + b for a in done for b in atom]
        if len(done) > SPELLING_LIMIT:
            raise ValueError(pattern)
    return done, i


def _is_word(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


def find_spelling(spelled: Spellings, text: str) -> str:
    """Return what the regex would match: the leftmost variant, the regex's preferred one at a tie."""
    variants, lead, trail = spelled
    best, best_at = "", len(text) + 1
    for variant in variants:
        if variant not in text:
            continue  # most variants are absent: ``in`` tells it at half the cost of ``find``
        at = text.find(variant)
        while 0 <= at < best_at:
            end = at + len(variant)
            if (not lead or _is_word(text, at - 1) != _is_word(text, at)) and (
                not trail or _is_word(text, end - 1) != _is_word(text, end)
            ):
                best, best_at = variant, at
                break
            at = text.find(variant, at + 1)
    return best
