"""Walking a regular expression's syntax: where its top-level branches, classes, groups and escapes end.

The screens of the phrase tables are derived from the patterns' text (:mod:`.screening`:
the literals a match cannot do without; :mod:`.spellings`: the few strings a simple pattern
spells out). Both read a pattern with these few helpers, which understand exactly the syntax
the tables use (a class ``[...]``, a group ``(...)``, an escape, a quantifier) and raise
``IndexError`` or ``ValueError`` on anything malformed; their callers then give up on the
pattern, which is searched unscreened (never a different result).
"""

from __future__ import annotations

TYPE_CHECKING = False  # importing typing costs start-up; annotations are strings here
if TYPE_CHECKING:
    from collections.abc import Iterator


def split_top(pattern: str, sep: str) -> list[str]:
    """Return the parts of ``pattern`` between its top-level ``sep`` characters (outside groups)."""
    parts, depth, start = [], 0, 0
    for i, c in _syntax(pattern, 0):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _syntax(pattern: str, i: int) -> Iterator[tuple[int, str]]:
    """Yield ``(index, character)`` of each character from ``i`` on that is neither escaped
    nor inside a class (``[...]``: an unterminated one raises ``IndexError``)."""
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = class_end(pattern, i)
        else:
            yield i, c
        i += 1


def class_end(pattern: str, i: int) -> int:
    j = i + 1
    if pattern[j : j + 1] == "^":
        j += 1
    if pattern[j : j + 1] == "]":
        j += 1
    while pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j


def group_end(pattern: str, i: int) -> int:
    """Return the index of the ``)`` that closes the group opening at ``i`` (``IndexError``: none)."""
    depth = 0
    for at, c in _syntax(pattern, i):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return at
    raise IndexError(pattern)


_ESCAPE_WIDTH = {"x": 4, "u": 6, "U": 10}


def escape_end(pattern: str, i: int) -> int:
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


def item_end(branch: str, i: int) -> int:
    """Index just past the item at ``i`` (a group, a class, an escape or a character) and its quantifier."""
    c = branch[i]
    if c == "(":
        end = group_end(branch, i) + 1
    elif c == "[":
        end = class_end(branch, i) + 1
    elif c == "\\":
        end = escape_end(branch, i)
    else:
        end = i + 1
    if branch[end : end + 1] == "{":
        end = branch.index("}", end) + 1
    elif branch[end : end + 1] in ("?", "*", "+"):
        end += 1
    if branch[end : end + 1] in ("?", "+"):  # lazy or possessive
        end += 1
    return end
