"""Regular expressions compiled when first used, not at import.

Compiling is most of the command line's start-up (``python -m bounceportal.classifier``
pays it once per call), and a batch of messages reaches only some of the patterns: the
case-insensitive fallback of a notice cut, the auto-reply wordings of a batch of DSNs,
the names of products no reply mentions. ``compile_later`` returns a stand-in that
compiles with plain :func:`re.compile` on the first attribute asked for (``search``,
``match``, ``finditer``...) and then keeps the compiled pattern's own bound methods as its
attributes, so later calls cost what calls on a compiled pattern cost.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # importing typing costs start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


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


def compile_later(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Return a stand-in for ``re.compile(pattern, flags)`` that compiles on first use.

    Typed as the pattern it stands for: every attribute of a compiled pattern is
    answered by the compiled pattern itself (``isinstance(x, re.Pattern)`` is not).
    """
    return LaterPattern(pattern, flags)  # type: ignore[return-value]
