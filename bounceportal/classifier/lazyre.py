"""Regular expressions compiled when first used, not at import, and searched behind a screen.

Compiling is most of the command line's start-up (``python -m bounceportal.classifier``
pays it once per call), and a batch of messages reaches only some of the patterns: the
case-insensitive fallback of a notice cut, the auto-reply wordings of a batch of DSNs,
the names of products no reply mentions. ``compile_later`` returns a stand-in that
compiles with plain :func:`re.compile` on the first attribute asked for (``search``,
``match``, ``finditer``...) and then keeps the compiled pattern's own bound methods as its
attributes, so later calls cost what calls on a compiled pattern cost.

A pattern whose every match contains one of a few literal words (``_screens.SCREENS``,
derived at development time by :func:`.screening.literals`) is screened: its ``search``,
``match``, ``fullmatch``, ``findall`` and ``finditer`` first look for those words with
``str in str`` and answer "no match" without compiling or running the regex when none is
there. A case-insensitive pattern is screened on the lower-cased text only when the text
is ASCII: there ``str.lower`` is exactly the regex's case folding (four non-ASCII letters
fold to ASCII letters under ``re.IGNORECASE``; a screen holding one is not used), or when
the text holds none of those four and the screen words are ASCII. A long alternation
without capturing groups (``_screens.BRANCHES``) answers ``search`` and ``match`` branch by
branch, compiling only the branches whose own words are in the text. The answer never
changes; only the work to reach it.
"""

from __future__ import annotations

import re

from ._screens import BRANCHES, REQUIRES, SCREENS

TYPE_CHECKING = False  # importing typing costs start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

# Non-ASCII letters that re.IGNORECASE matches to ASCII ones (İ ı ſ K); a test re-derives them.
FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")
_FOLDING = tuple(sorted(FOLDS_TO_ASCII))
# Inline flags change what a literal means (``(?i)``, ``(?x)``): such patterns are not screened.
_INLINE_FLAG_LETTERS = frozenset("aiLmsux-")
# Per top-level branch of a pattern, the literal sets it needs (``screening.requirements``).
Requirements = tuple[tuple[tuple[str, ...], ...], ...]
# Every stand-in made, so that the development step can precompute their screens.
MADE: list[LaterPattern] = []


class LaterPattern:
    """A pattern and its flags, compiled on first use (see the module doc)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        MADE.append(self)

    def compiled(self) -> re.Pattern[str]:
        """Return the compiled pattern (compiling it now if it was not yet)."""
        found = self.__dict__.get("_compiled")
        if found is None:
            found = self.__dict__["_compiled"] = re.compile(self.pattern, self.flags)
        return found

    def screen(self) -> tuple[str, ...] | None:
        """The words one of which every match holds (lower-cased for a case-insensitive
        pattern), or None when the pattern is not screened."""
        words = SCREENS.get(self.pattern)
        if not screen_usable(self.pattern, self.flags, words):
            return None
        return tuple(sorted({w.lower() for w in words or ()})) if self.flags & re.IGNORECASE else words

    def needs(self) -> Requirements | None:
        """The finer test behind the screen: per top-level branch, the literal sets it needs
        (lower-cased for a case-insensitive pattern); None when the screen alone decides."""
        found = REQUIRES.get(self.pattern)
        if found is None or not self.screen():
            return None
        return needs_as_tested(found, self.flags)

    def __getattr__(self, name: str) -> Any:  # only for attributes not set yet
        if name.startswith("__"):
            raise AttributeError(name)
        words = self.screen() if name in _NO_MATCH else None
        branches = BRANCHES.get(self.pattern) if name in ("search", "match") else None
        if branches and not (self.flags & re.VERBOSE or _has_inline_flags(self.pattern)):
            value = _by_branch(self, name, branches)
        else:
            value = _screened(self, name, words, self.needs()) if words else getattr(self.compiled(), name)
        self.__dict__[name] = value  # the bound method itself: no lookup through here again
        return value


def _none() -> None:
    return None


def _no_matches() -> Any:
    return iter(())


# What a screened method answers when none of the words is in the text.
_NO_MATCH: dict[str, Any] = {
    "search": _none,
    "match": _none,
    "fullmatch": _none,
    "findall": list,
    "finditer": _no_matches,
}


def _screened(made: LaterPattern, name: str, words: tuple[str, ...], needs: Requirements | None) -> Any:
    """Return ``made.<name>`` (a method of the compiled pattern) behind the screen ``words``
    and, when the screen passes, the finer test ``needs`` (see :func:`meets`)."""
    folded = bool(made.flags & re.IGNORECASE)
    empty = _NO_MATCH[name]
    method = None
    ascii_words = _all_ascii(words, needs)

    def call(text: str, *args: int) -> Any:
        nonlocal method
        if not folded or text.isascii() or (ascii_words and not _folds_to_ascii(text)):
            hay = _lower(text) if folded else text
            for word in words:
                if word in hay:
                    break
            else:
                return empty()
            if needs is not None and not meets(needs, hay):
                return empty()
        if method is None:
            method = getattr(made.compiled(), name)
        return method(text, *args)

    return call


def _by_branch(made: LaterPattern, name: str, branches: tuple[tuple[str, tuple[str, ...]], ...]) -> Any:
    """``made.search`` or ``made.match`` for an alternation without capturing groups, whose
    branches are compiled one by one, only when the text holds one of a branch's own words
    (a branch without words, or with a letter that folds to ASCII, is always tried).

    Such an alternation matches where its leftmost branch match starts, with the first branch
    (in order) that matches there; nothing follows the alternation, so that branch's own match
    is the alternation's. ``match`` is the first branch that matches at the start.
    """
    folded = bool(made.flags & re.IGNORECASE)
    words, needs = made.screen(), made.needs()
    screens = [tuple(sorted({w.lower() for w in own})) if folded else own for _, own in branches]
    if folded:
        screens = [() if any(ch in FOLDS_TO_ASCII for w in own for ch in w) else own for own in screens]
    ascii_screens = [_all_ascii(own, None) for own in screens]
    ascii_needs, ascii_words = _all_ascii((), needs), _all_ascii(words or (), None)
    methods: list[Any] = [None] * len(branches)
    whole = _screened(made, name, words, needs) if words else None

    def call(text: str, *args: int) -> Any:
        ascii_text = not folded or text.isascii()
        if not ascii_text and (_folds_to_ascii(text) or not ascii_needs):
            return whole(text, *args) if whole else getattr(made.compiled(), name)(text, *args)
        hay = _lower(text) if folded else text
        if words and (ascii_text or ascii_words) and not _holds(words, hay):
            return None  # no branch's words at all: one loop, not one per branch
        if needs is not None and not meets(needs, hay):
            return None
        best = None
        for index, own in enumerate(screens):
            if own and (ascii_text or ascii_screens[index]) and not _holds(own, hay):
                continue  # this branch cannot match without one of its words
            method = methods[index]
            if method is None:
                method = methods[index] = getattr(re.compile(branches[index][0], made.flags), name)
            found = method(text, *args)
            if found is not None:
                if name == "match":
                    return found
                if best is None or found.start() < best.start():
                    best = found
        return best

    return call


def _all_ascii(words: tuple[str, ...], needs: Requirements | None) -> bool:
    """True when every screen word (and every word of ``needs``) is ASCII."""
    return all(w.isascii() for w in words) and all(
        w.isascii() for sets in needs or () for alternatives in sets for w in alternatives
    )


def _holds(words: tuple[str, ...], hay: str) -> bool:
    for word in words:  # noqa: SIM110 (a plain loop: cheaper than any() over a generator)
        if word in hay:
            return True
    return False


def _folds_to_ascii(text: str) -> bool:
    """True when ``text`` holds a letter that re.IGNORECASE matches to an ASCII one (İ ı ſ K).

    Without one, a case-insensitive ASCII word matches only an ASCII stretch of the text, and
    ``text.lower()`` holds that stretch lower-cased: the word screens the text as for ASCII text.
    """
    return _holds(_FOLDING, text)


def needs_as_tested(found: Requirements, flags: int) -> Requirements | None:
    """``found`` as the text is tested: lower-cased for a case-insensitive pattern, and None
    (no finer test) when a literal holds a letter that folds to ASCII only under re.IGNORECASE
    (``"\u017ftop"`` matches "stop", which holds no "\u017ftop")."""
    if not flags & re.IGNORECASE:
        return found
    if any(ch in FOLDS_TO_ASCII for sets in found for words in sets for word in words for ch in word):
        return None
    return tuple(tuple(tuple(sorted({w.lower() for w in words})) for words in sets) for sets in found)


_LAST_LOWER: list[str] = ["", ""]  # the last text lower-cased and its lower-case form


def _lower(text: str) -> str:
    """``text.lower()``, kept for the next pattern that screens the same text."""
    if text is not _LAST_LOWER[0]:
        _LAST_LOWER[:] = [text, text.lower()]
    return _LAST_LOWER[1]


def _has_inline_flags(pattern: str) -> bool:
    at = pattern.find("(?")
    while at >= 0:
        if pattern[at + 2 : at + 3] in _INLINE_FLAG_LETTERS and pattern[at - 1 : at] != "\\":
            return True
        at = pattern.find("(?", at + 2)
    return False


def screen_usable(pattern: str, flags: int, words: tuple[str, ...] | None) -> bool:
    """True when ``words`` (the pattern's literal screen) can stand in front of it."""
    if not words or flags & re.VERBOSE or _has_inline_flags(pattern):
        return False
    return not (flags & re.IGNORECASE and any(ch in FOLDS_TO_ASCII for w in words for ch in w))


def meets(needs: Requirements, text: str) -> bool:
    """True when, for some branch of ``needs``, each literal set has a literal in ``text``."""
    for sets in needs:
        for words in sets:
            for word in words:
                if word in text:
                    break
            else:
                break  # this set has no literal in the text: the branch cannot match
        else:
            return True
    return False


def screen_of_later(made: re.Pattern[str] | None) -> tuple[str, ...] | None:
    """The screen of a :func:`compile_later` stand-in (:meth:`LaterPattern.screen`), the words
    as its methods test them; None for a compiled pattern, or when it is not screened."""
    return made.screen() if isinstance(made, LaterPattern) else None


def compile_later(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Return a stand-in for ``re.compile(pattern, flags)`` that compiles on first use.

    Typed as the pattern it stands for: every attribute of a compiled pattern is
    answered by the compiled pattern itself (``isinstance(x, re.Pattern)`` is not).
    """
    return LaterPattern(pattern, flags)  # type: ignore[return-value]
