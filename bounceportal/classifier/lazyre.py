"""Regular expressions compiled when first used, not at import, and searched behind a screen.

Compiling is most of the command line's start-up (``python -m bounceportal.classifier``
pays it once per call), and a batch of messages reaches only some of the patterns: the
case-insensitive fallback of a notice cut, the auto-reply wordings of a batch of DSNs,
the names of products no reply mentions. ``compile_later`` returns a stand-in that
compiles with plain :func:`re.compile` on the first attribute asked for (``search``,
``match``, ``finditer``...) and then keeps the compiled pattern's own bound methods as its
attributes, so later calls cost what calls on a compiled pattern cost.

A pattern whose every match contains one of a few literal words (``_screens.SCREENS``,
derived at development time by :func:`.phrasegate.literals`) is screened: ``search``,
``match``, ``fullmatch``, ``findall`` and ``finditer`` first look for those words with
``str in str`` and answer "no match" without compiling or running the regex when none is
there. A case-insensitive pattern is screened on the lower-cased text only when the text
is ASCII: there ``str.lower`` is exactly the regex's case folding (four non-ASCII letters
fold to ASCII letters under ``re.IGNORECASE``; a screen holding one is not used). The
answer never changes; only the work to reach it.
"""

from __future__ import annotations

import re

from ._screens import SCREENS

TYPE_CHECKING = False  # importing typing costs start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

# Non-ASCII letters that re.IGNORECASE matches to ASCII ones (İ ı ſ K); a test re-derives them.
FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")
# Inline flags change what a literal means (``(?i)``, ``(?x)``): such patterns are not screened.
_INLINE_FLAG_LETTERS = frozenset("aiLmsux-")
# Every stand-in made, so that the development step can precompute their screens.
MADE: list[LaterPattern] = []


class LaterPattern:
    """A pattern and its flags, compiled on first use (see the module doc)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags

    def compiled(self) -> re.Pattern[str]:
        """Return the compiled pattern (compiling it now if it was not yet)."""
        found = self.__dict__.get("_compiled")
        if found is None:
            found = self.__dict__["_compiled"] = re.compile(self.pattern, self.flags)
        return found

    def __getattr__(self, name: str) -> Any:  # only for attributes not set yet
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self.compiled(), name)
        self.__dict__[name] = value  # the bound method itself: no lookup through here again
        return value


class ScreenedPattern(LaterPattern):
    """A :class:`LaterPattern` whose searches are skipped when none of its words is in the text."""

    def __init__(self, pattern: str, flags: int, words: tuple[str, ...]) -> None:
        super().__init__(pattern, flags)
        self.folded = bool(flags & re.IGNORECASE)
        self.words = tuple(sorted({w.lower() for w in words})) if self.folded else words

    def absent(self, text: str) -> bool:
        """True when no match can exist in ``text`` (none of the words occurs in it)."""
        if self.folded:
            if not text.isascii():
                return False
            text = _lower(text)
        for word in self.words:  # noqa: SIM110 (a plain loop: cheaper than any() over a generator)
            if word in text:
                return False
        return True

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        return None if self.absent(text) else self.compiled().search(text, *args)

    def match(self, text: str, *args: int) -> re.Match[str] | None:
        return None if self.absent(text) else self.compiled().match(text, *args)

    def fullmatch(self, text: str, *args: int) -> re.Match[str] | None:
        return None if self.absent(text) else self.compiled().fullmatch(text, *args)

    def findall(self, text: str, *args: int) -> list[Any]:
        return [] if self.absent(text) else self.compiled().findall(text, *args)

    def finditer(self, text: str, *args: int) -> Any:
        return iter(()) if self.absent(text) else self.compiled().finditer(text, *args)


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


def compile_later(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Return a stand-in for ``re.compile(pattern, flags)`` that compiles on first use.

    Typed as the pattern it stands for: every attribute of a compiled pattern is
    answered by the compiled pattern itself (``isinstance(x, re.Pattern)`` is not).
    """
    words = SCREENS.get(pattern)
    made = (
        ScreenedPattern(pattern, flags, words)  # type: ignore[arg-type]
        if screen_usable(pattern, flags, words)
        else LaterPattern(pattern, flags)
    )
    MADE.append(made)
    return made  # type: ignore[return-value]
