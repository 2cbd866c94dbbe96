"""Regenerate ``_screens.py``: ``python -m bounceportal.classifier.gen_screens`` (a dev step,
followed by ``ruff format``, which it runs when ruff is installed beside the interpreter).

The literal screens of the phrase tables (and of every ``compile_later`` pattern) are derived from the patterns at development
time so that the command line does not derive them at every start; a test fails when
the file is stale, and a missing entry is derived at import (results never change). This
module gathers the patterns, derives their screens (:mod:`.screening`), spellings
(:mod:`.spellings`) and key trigrams (:func:`key_trigrams`, the index of
:class:`~.phrasegate.GatedGroups`), and writes the file (:func:`write_screens`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

from . import (
    __main__,  # noqa: F401  (imports every module: every compile_later pattern is made)
    names,
    phrases,
    smtptext,
)
from .lazyre import MADE
from .phrasegate import REGEX_SYNTAX
from .screening import branch_screens, finer_requirements, literals
from .spellings import spellings


def table_patterns() -> list[str]:
    """Every pattern screened: the tables' (by :class:`~.phrasegate.GatedGroups`) and every
    one made by :func:`~.lazyre.compile_later` (behind its screen: :meth:`~.lazyre.LaterPattern.screen`)."""
    return gated_patterns() + [made.pattern for made in MADE]


def gated_patterns() -> list[str]:
    """Every pattern of the tables screened and spelled by :class:`~.phrasegate.GatedGroups`."""
    groups = phrases.PHRASES + phrases.NOTICE_PHRASES + list(smtptext._COMMANDS)
    found = [p for _, patterns in groups for p in patterns]
    found += list(phrases.ADDRESS_CERTAIN) + list(phrases.RECIPIENT_SIDE) + list(phrases.TCP_FAILURES)
    return found + [rule.pattern for rule in names.RULES if rule.evidence == names.REPLY]


def gated_literals() -> list[str]:
    """Every screen literal of the gated tables' patterns (indexed by their key trigram)."""
    return sorted({word for p in gated_patterns() for word in literals(p) or ()})


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
    patterns = sorted(set(patterns))
    screens = {p: literals(p) for p in patterns}
    branches = {p: branch_screens(p) for p in sorted(set(split or ()))}
    requires = {p: finer_requirements(p) for p in patterns}
    lines = [
        '"""Literal screens and spellings of the phrase tables, derived by screening.literals and',
        "spellings.spellings (generated: run",
        '``python -m bounceportal.classifier.gen_screens``; a test fails when it is stale)."""',
        "",
        *_table("SCREENS: dict[str, tuple[str, ...] | None]", {p: _sorted(found) for p, found in screens.items()}),
        *_table(
            "REQUIRES: dict[str, tuple[tuple[tuple[str, ...], ...], ...]]",
            {p: finer for p, finer in requires.items() if finer is not None},
        ),
        *_table(
            "BRANCHES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]",
            {p: found for p, found in branches.items() if found is not None},
        ),
        *_table("KEYS: dict[str, str]", key_trigrams(keyed or [])),
        *_table(
            "SPELLINGS: dict[str, tuple[tuple[str, ...], bool, bool] | None]",
            # a plain phrase needs no spelling
            {p: spellings(p) for p in sorted(set(patterns if spelled is None else spelled)) if REGEX_SYNTAX.search(p)},
        ),
    ]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines[:-1]) + "\n")  # less the last blank line: the file ends in one newline


def _sorted(found: list[str] | None) -> tuple[str, ...] | None:
    return tuple(sorted(set(found))) if found is not None else None


def _table(declaration: str, rows: Mapping[str, object]) -> list[str]:
    """The lines of one generated table: ``NAME: type = {``, a row per key, ``}`` and a blank line."""
    return [f"{declaration} = {{", *(f"    {key!r}: {value!r}," for key, value in rows.items()), "}", ""]


if __name__ == "__main__":
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_screens.py")
    split = [made.pattern for made in MADE] + gated_patterns()  # the tables' long alternations too
    write_screens(table_patterns(), target, gated_patterns(), split, gated_literals())
    ruff = os.path.join(os.path.dirname(sys.executable), "ruff")
    if os.path.exists(ruff):
        subprocess.run([ruff, "format", "-q", target], check=False)
