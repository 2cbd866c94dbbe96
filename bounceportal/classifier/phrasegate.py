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

from ._screens import BRANCHES, KEYS, REQUIRES, SCREENS, SPELLINGS
from .lazyre import Requirements, compile_later, meets

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


_ESCAPE_WIDTH = {"x": 4, "u": 6, "U": 10}


def _escape_end(pattern: str, i: int) -> int:
    """Index just past the escape at ``i`` (``\\x41``, ``\\u2022``, ``\\N{name}``, ``\\12``...)."""
    letter = pattern[i + 1]
    if letter in _ESCAPE_WIDTH:
        return i + _ESCAPE_WIDTH[letter]
    if letter == "N" and pattern[i + 2 : i + 3] == "{":
        return pattern.index("}", i) + 1
    end = i + 2
    while letter.isdigit() and end < len(pattern) and pattern[end].isdigit():
        end += 1
    return end


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
        if (c == "\\" and (branch[i + 1] in _CLASS_ESCAPES or branch[i + 1].isalnum())) or c in "[.^$":
            # A class, an anchor, or an escape that is not plain punctuation (\d, \b, \t,
            # \x41, \u2022, \N{...}): the literal run ends there, the escape is skipped whole.
            candidates.append([run])
            run = ""
            i = _class_end(branch, i) + 1 if c == "[" else _escape_end(branch, i) if c == "\\" else i + 1
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
        for branch in _split_top(pattern, "|"):
            sets = [tuple(sorted(set(c))) for c in _mandatory(branch)] + _spelled_runs(branch)
            if not sets:
                return None
            found.append(tuple(dict.fromkeys(sets)))
        return tuple(found)
    except (IndexError, ValueError):
        return None


def _item_end(branch: str, i: int) -> int:
    """Index just past the item at ``i`` (a group, a class, an escape or a character) and its quantifier."""
    c = branch[i]
    if c == "(":
        end = _group_end(branch, i) + 1
    elif c == "[":
        end = _class_end(branch, i) + 1
    elif c == "\\":
        end = _escape_end(branch, i)
    else:
        end = i + 1
    if branch[end : end + 1] == "{":
        end = branch.index("}", end) + 1
    elif branch[end : end + 1] in ("?", "*", "+"):
        end += 1
    if branch[end : end + 1] in ("?", "+"):  # lazy or possessive
        end += 1
    return end


def _spelled_runs(branch: str) -> list[tuple[str, ...]]:
    """The string sets of the branch's runs of consecutive spellable items (literals, ``(?:a|b)``
    groups, ``[ae]`` classes, each maybe optional: see :func:`spellings`): every match of the
    branch holds one string of each run's set. Runs of up to ``_SPELLING_LIMIT`` strings, each
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
        end = _item_end(branch, i)
        try:
            variants, stop = _spell_alternatives(branch[i:end], 0)
        except (ValueError, IndexError):
            variants, stop = [], -1
        if stop != end - i or not variants:  # not spellable: the run ends before it
            close()
            run = [""]
        elif len(run) * len(variants) > _SPELLING_LIMIT:
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
        for branch in _split_top(pattern, "|"):
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
            i = _class_end(pattern, i)
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
    best = tuple(tuple(sorted(set(core))) for core in map(_branch, _split_top(pattern, "|")) if core)
    return None if all(len(sets) == 1 for sets in found) and tuple(sets[0] for sets in found) == best else found


# Patterns without any regex syntax: a substring test finds them, no compile needed.
_META = re.compile(r"[\\.^$*+?{}\[\]|()]")
_PLAIN: set[str] = set()


_INDEXED_TEXT = 1500  # longer texts test every word with ``in`` instead of reading their trigrams
_INDEXED_WORDS = 200  # tables with fewer literals test them group by group (no trigrams)
Trigram = tuple[str, str, str]


def key_trigrams(words: list[str]) -> dict[str, str]:
    """Return, per literal (3+ characters), its trigram that fewest of ``words`` hold (the first
    such one): the trigram it is indexed by. A text holding the literal holds that trigram, and
    few texts hold it without the literal ("ilb" of "mailbox", not "mai"). A dev step: the
    result is precomputed as ``_screens.KEYS``."""
    counts: dict[str, int] = {}
    for word in set(words):
        for trigram in {word[i : i + 3] for i in range(len(word) - 2)}:
            counts[trigram] = counts.get(trigram, 0) + 1
    return {
        word: min((word[i : i + 3] for i in range(len(word) - 2)), key=counts.__getitem__)
        for word in sorted(set(words))
    }


class GatedGroups:
    """Ordered ``(reason, patterns)`` groups searched lazily behind literal screens.

    A group is skipped unless one of its patterns' literals is in the text; inside a
    group, only the patterns whose own literals are present (or that have none) are
    compiled and searched; a pattern with no regex syntax at all is never compiled (a
    substring test is the same search). Compiling is most of the command line's start-up, and a
    batch of messages only ever needs a fraction of the patterns.

    Which literals a text holds is found once per text, not once per group: every literal
    has 3+ characters, so only those whose key trigram (:func:`key_trigrams`: the literal's
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
            _PLAIN.update(p for p in patterns if not _META.search(p))
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
            return _find_spelling(spelled, text) or None  # spellings are never empty
        needs = _REQUIRES.get(pattern)
        if needs is not None and not meets(needs, text):
            return None  # a literal the phrase cannot match without is missing: nothing to compile
        compiled = self._compiled.get(pattern) or self._later.get(pattern)
        if compiled is None:
            compiled = self._compiled[pattern] = re.compile(pattern)
        found = compiled.search(text)
        return found.group(0) if found else None


# A phrase whose regex only spells out a few variants ("mail ?box (?:is )?full", "gr[ae]y-?list",
# "\\bblock(?:ed|listed)? (?:by|using)"): its spellings, found with substring searches, give the
# same match as the regex (leftmost, then the regex's own preference), without compiling it.
_SPELLING_LIMIT = 64
_LITERAL_ESCAPES = frozenset(".-'+/@#&:;,!\"=%<>[](){}|?*^$\\ ")
Spellings = tuple[tuple[str, ...], bool, bool]  # (variants in the regex's preference order, \b before, \b after)
# Precomputed with the screens (``_screens.py``): deriving them is half the cost of a compile.
_SPELLINGS: dict[str, Spellings | None] = dict(SPELLINGS)
# The finer tests of the phrases that have one (``finer_requirements``), precomputed likewise.
_REQUIRES: dict[str, Requirements] = dict(REQUIRES)


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
        variants, end = _spell_alternatives(core, 0)
    except (ValueError, IndexError):
        return None
    if end != len(core) or not variants or "" in variants:
        return None
    if (lead or trail) and len(_split_top(core, "|")) > 1:
        return None  # "\\ba|b\\b": each edge belongs to one branch only
    return tuple(variants), lead, trail


def _spell(pattern: str) -> Spellings | None:
    found = _SPELLINGS[pattern] = spellings(pattern)
    return found


def _spell_alternatives(pattern: str, i: int) -> tuple[list[str], int]:
    variants, i = _spell_sequence(pattern, i)
    while i < len(pattern) and pattern[i] == "|":
        more, i = _spell_sequence(pattern, i + 1)
        variants += more
        if len(variants) > _SPELLING_LIMIT:
            raise ValueError(pattern)
    return variants, i


def _spell_sequence(pattern: str, i: int) -> tuple[list[str], int]:
    done = [""]
    while i < len(pattern) and pattern[i] not in "|)":
        c = pattern[i]
        if c == "(":
            if not pattern.startswith("(?:", i):
                raise ValueError(pattern)
            atom, i = _spell_alternatives(pattern, i + 3)
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
        if len(done) > _SPELLING_LIMIT:
            raise ValueError(pattern)
    return done, i


def _is_word(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


def _find_spelling(spelled: Spellings, text: str) -> str:
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


def write_screens(
    patterns: list[str],
    path: str,
    spelled: list[str] | None = None,
    split: list[str] | None = None,
    keyed: list[str] | None = None,
) -> None:
    """Write the screens and finer requirements of ``patterns``, the spellings of ``spelled``
    (default: the same patterns), the screened branches of ``split`` and the key trigrams of
    the literals ``keyed`` as the Python module ``_screens.py`` (a dev step)."""
    lines = [
        '"""Literal screens and spellings of the phrase tables, derived by phrasegate.literals and',
        "phrasegate.spellings (generated: run",
        '``python -m bounceportal.classifier.phrasegate``; a test fails when it is stale)."""',
        "",
        "SCREENS: dict[str, tuple[str, ...] | None] = {",
    ]
    for pattern in sorted(set(patterns)):
        found = literals(pattern)
        value = tuple(sorted(set(found))) if found is not None else None
        lines.append(f"    {pattern!r}: {value!r},")
    lines.append("}")
    lines.append("")
    lines.append("REQUIRES: dict[str, tuple[tuple[tuple[str, ...], ...], ...]] = {")
    for pattern in sorted(set(patterns)):
        finer = finer_requirements(pattern)
        if finer is not None:
            lines.append(f"    {pattern!r}: {finer!r},")
    lines.append("}")
    lines.append("")
    lines.append("BRANCHES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {")
    for pattern in sorted(set(split or ())):
        branches = branch_screens(pattern)
        if branches is not None:
            lines.append(f"    {pattern!r}: {branches!r},")
    lines.append("}")
    lines.append("")
    lines.append("KEYS: dict[str, str] = {")
    for word, key in key_trigrams(keyed or []).items():
        lines.append(f"    {word!r}: {key!r},")
    lines.append("}")
    lines.append("")
    lines.append("SPELLINGS: dict[str, tuple[tuple[str, ...], bool, bool] | None] = {")
    for pattern in sorted(set(patterns if spelled is None else spelled)):
        if not _META.search(pattern):
            continue  # a plain phrase needs no spelling
        lines.append(f"    {pattern!r}: {spellings(pattern)!r},")
    lines.append("}")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def any_in(words: tuple[str, ...], text: str) -> bool:
    for word in words:  # noqa: SIM110 (a plain loop: cheaper than any() over a generator)
        if word in text:
            return True
    return False
