"""Regenerate ``_screens.py``: ``python -m bounceportal.classifier.gen_screens`` (a dev step,
followed by ``ruff format``, which it runs when ruff is installed beside the interpreter).

The literal screens of the phrase tables (and of every ``compile_later`` pattern) are derived from the patterns at development
time so that the command line does not derive them at every start; a test fails when
the file is stale, and a missing entry is derived at import (results never change).
"""

from __future__ import annotations

import os
import subprocess
import sys

from . import (
    __main__,  # noqa: F401  (imports every module: every compile_later pattern is made)
    names,
    phrases,
    smtptext,
)
from .lazyre import MADE
from .phrasegate import literals, write_screens


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


if __name__ == "__main__":
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_screens.py")
    split = [made.pattern for made in MADE] + gated_patterns()  # the tables' long alternations too
    write_screens(table_patterns(), target, gated_patterns(), split, gated_literals())
    ruff = os.path.join(os.path.dirname(sys.executable), "ruff")
    if os.path.exists(ruff):
        subprocess.run([ruff, "format", "-q", target], check=False)
