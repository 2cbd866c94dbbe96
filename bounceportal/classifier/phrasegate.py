"""Fast screening of phrase tables: each group searched only when its literal words are in the text.

Matching ~35 groups of regular expressions against every diagnostic is the classifier's
hottest loop, and compiling them is most of its start-up. For each phrase we derive,
once, literal strings one of which must occur in any text the phrase matches (for
``user (?:name )?unknown`` that is ``unknown``). A group is only compiled and searched
when one of its literals is in the text (``str in str`` runs at C speed). Phrases we
cannot screen this way (no mandatory literal of 3+ characters) keep their group always
searched, so screening never changes a result.

The screens are derived from the patterns by :mod:`.screening` (and the spellings of simple
patterns by :mod:`.spellings`) at development time, into ``_screens.py`` (:mod:`.gen_screens`);
this module owns the search at run time: :class:`GatedGroups`, which every phrase table of the
decision (:mod:`.decision`, :mod:`.specific`, :mod:`.settling`, :mod:`.fallbacks`,
:mod:`.reasons`) and :mod:`.smtptext` search through, and :func:`screen_of` / :func:`any_in`
for the other screened tables (:mod:`.names`, :mod:`.providers`).
"""

from __future__ import annotations

import re

from ._screens import BRANCHES, KEYS, REQUIRES, SCREENS, SPELLINGS
from .lazyre import Requirements, compile_later, meets
from .screening import finer_requirements, literals
from .spellings import Spellings, find_spelling, spellings

# Patterns without any regex syntax: a substring test finds them, no compile needed.
REGEX_SYNTAX = re.compile(r"[\\.^$*+?{}\[\]|()]")
_PLAIN: set[str] = set()


_INDEXED_TEXT = 1500  # longer texts test every word with ``in`` instead of reading their trigrams
_INDEXED_WORDS = 200  # tables with fewer literals test them group by group (no trigrams)
Trigram = tuple[str, str, str]


class GatedGroups:
    """Ordered ``(reason, patterns)`` groups searched lazily behind literal screens.

    A group is skipped unless one of its patterns' literals is in the text; inside a
    group, only the patterns whose own literals are present (or that have none) are
    compiled and searched; a pattern with no regex syntax at all is never compiled (a
    substring test is the same search). Compiling is most of the command line's start-up, and a
    batch of messages only ever needs a fraction of the patterns.

    Which literals a text holds is found once per text, not once per group: every literal
    has 3+ characters, so only those whose key trigram (:func:`.gen_screens.key_trigrams`: the literal's
    trigram that fewest literals share) is among the text's trigrams are tested with ``in``
    (a short diagnostic has ~150 trigrams; a table ~600 words). Trigrams are tuples of
    characters (``zip`` of the text with itself shifted): ~40 % cheaper than joining each
    into a string.
    The rows those literals screen in (and the rows without a screen) are then tried in table
    order, without walking the groups.
    Small tables (a few dozen literals) test them group by group, stopping at the first match.
    """

    def __init__(self, groups: list[tuple[str, tuple[str, ...]]]) -> None:
        # Per group: reason, group screen (None: always searched), rows (pattern, screen).
        self._groups: list[tuple[str, tuple[str, ...] | None, tuple[tuple[str, tuple[str, ...] | None], ...]]] = []
        self._compiled: dict[str, re.Pattern[str]] = {}
        self._later: dict[str, re.Pattern[str]] = {}  # the rows without a screen (see lazyre)
        words: set[str] = set()
        for reason, patterns in groups:
            rows = tuple((pattern, screen_of(pattern)) for pattern in patterns)
            _PLAIN.update(p for p in patterns if not REGEX_SYNTAX.search(p))
            found = [screen for _, screen in rows if screen is not None]
            gate = tuple(sorted(set().union(*found))) if len(found) == len(rows) else None
            # A row without a screen, or a long alternation (``_screens.BRANCHES``), is searched
            # through lazyre: an alternation branch by branch, each compiled only where its words are.
            self._later.update((p, compile_later(p)) for p, screen in rows if screen is None or p in BRANCHES)
            words.update(*found)
            self._groups.append((reason, gate, rows))
        self._words = tuple(words)
        self._trigrams: frozenset[Trigram] = frozenset()
        if len(self._words) < _INDEXED_WORDS:  # a small table: testing its words in turn is cheaper
            self.find = self._find_scanning  # type: ignore[method-assign]
            return
        self._by_trigram: dict[Trigram, list[str]] = {}
        for word in self._words:
            key = KEYS.get(word) or word  # a literal not in the precomputed table: its first trigram
            self._by_trigram.setdefault((key[0], key[1], key[2]), []).append(word)
        self._trigrams = frozenset(self._by_trigram)
        # Every row in table order, the rows each literal screens in, and the unscreened rows.
        self._rows: list[tuple[str, int, str]] = []
        self._rows_of: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, (reason, _, rows) in enumerate(self._groups):
            for pattern, screen in rows:
                for word in screen if screen is not None else ():
                    self._rows_of.setdefault(word, []).append(len(self._rows))
                if screen is None:
                    self._always.append(len(self._rows))
                self._rows.append((reason, index, pattern))

    def first(self, text: str) -> str:
        """Return the first group's reason (table order) with a phrase in ``text``."""
        return self.find(text)[0]

    def compile_all(self) -> int:
        """Compile every pattern now (benchmarks measure the cost); return how many."""
        for _, _, rows in self._groups:
            for pattern, _ in rows:
                if pattern not in self._compiled:
                    self._compiled[pattern] = re.compile(pattern)
        return len(self._compiled)

    def present(self, text: str) -> set[str]:
        """Return the screen literals of the tables that occur in ``text``."""
        if len(text) > _INDEXED_TEXT or not self._trigrams:
            return set(filter(text.__contains__, self._words))
        by_trigram = self._by_trigram
        trigrams = self._trigrams.intersection(zip(text, text[1:], text[2:]))
        return {word for key in trigrams for word in by_trigram[key] if word in text}

    def find(self, text: str) -> tuple[str, int, str]:
        """Return ``(reason, group index, matched words)`` of the first group that matches.

        ``("", -1, "")`` when no group has a phrase in ``text``.
        """
        candidates = set(self._always)
        rows_of = self._rows_of
        for word in self.present(text):
            candidates.update(rows_of[word])
        rows = self._rows
        for row in sorted(candidates):  # table order: the first group, then its first row
            reason, index, pattern = rows[row]
            found = self._search(pattern, text)
            if found is not None:
                return reason, index, found
        return "", -1, ""

    def _find_scanning(self, text: str) -> tuple[str, int, str]:
        """:meth:`find` for a small table: each group's and row's literals tested in turn."""
        for index, (reason, gate, rows) in enumerate(self._groups):
            if gate is not None:
                for word in gate:  # inlined any_in: this loop runs ~100 times a message
                    if word in text:
                        break
                else:
                    continue
            for pattern, screen in rows:
                if screen is not None:
                    for word in screen:
                        if word in text:
                            break
                    else:
                        continue
                found = self._search(pattern, text)
                if found is not None:
                    return reason, index, found
        return "", -1, ""

    def _search(self, pattern: str, text: str) -> str | None:
        """Return what one row's pattern matches in ``text`` (None: nothing), compiling it
        only when neither a substring test (a plain phrase) nor its spellings can answer."""
        if pattern in _PLAIN:  # a plain phrase: found exactly when it is in the text
            return pattern if pattern in text else None
        spelled = _SPELLINGS[pattern] if pattern in _SPELLINGS else _spell(pattern)
        if spelled is not None:
            return find_spelling(spelled, text) or None  # spellings are never empty
        needs = _REQUIRES.get(pattern)
        if needs is not None and not meets(needs, text):
            return None  # a literal the phrase cannot match without is missing: nothing to compile
        compiled = self._compiled.get(pattern) or self._later.get(pattern)
        if compiled is None:
            compiled = self._compiled[pattern] = re.compile(pattern)
        found = compiled.search(text)
        return found.group(0) if found else None


# Precomputed with the screens (``_screens.py``): deriving them is half the cost of a compile.
_SPELLINGS: dict[str, Spellings | None] = dict(SPELLINGS)
# The finer tests of the phrases that have one (``finer_requirements``), precomputed likewise.
_REQUIRES: dict[str, Requirements] = dict(REQUIRES)


def _spell(pattern: str) -> Spellings | None:
    found = _SPELLINGS[pattern] = spellings(pattern)
    return found


def screen_of(pattern: str) -> tuple[str, ...] | None:
    """Return the sorted literal screen of ``pattern`` (None: it has none), from the
    precomputed table when it is there (deriving screens is a fifth of the start-up)."""
    if pattern in SCREENS:
        return SCREENS[pattern]
    finer = finer_requirements(pattern)
    if finer is not None:
        _REQUIRES[pattern] = finer
    found = literals(pattern)
    return tuple(sorted(set(found))) if found is not None else None


def any_in(words: tuple[str, ...], text: str) -> bool:
    for word in words:  # noqa: SIM110 (a plain loop: cheaper than any() over a generator)
        if word in text:
            return True
    return False
