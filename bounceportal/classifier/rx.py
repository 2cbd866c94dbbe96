"""Regular expressions compiled once per installation instead of once per process.

CPython compiles regular expressions in pure Python (tens of microseconds each); the
classifier's tables make that most of the command line's start-up, which matters when
it is run per batch of files. ``compile`` keeps the compiled program of each pattern in
a marshal file in this package's ``__pycache__`` (like ``.pyc`` files, keyed by the
interpreter's cache tag and the regex engine's version) and rebuilds patterns from it.
Anything unexpected (other interpreter, unreadable or stale file, read-only directory)
falls back to :func:`re.compile`, so results never depend on the cache.
"""

from __future__ import annotations

import atexit
import marshal
import os
import re
import sys

try:  # the engine's private entry points; absent or different on other interpreters
    import _sre
    from re import _compiler, _parser

    _ENGINE = (sys.implementation.cache_tag, _sre.MAGIC, _sre.CODESIZE)
except (ImportError, AttributeError):
    _sre = None
    _ENGINE = None

_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "__pycache__", f"regex-cache.{sys.implementation.cache_tag}.marshal"
)
_cache: dict = {}
_new: dict = {}


def _load() -> None:
    if _ENGINE is None:
        return
    try:
        with open(_PATH, "rb") as handle:  # one read: marshal.load(file) reads piecemeal
            engine, entries = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return
    if engine == _ENGINE and isinstance(entries, dict):
        _cache.update(entries)


def memo(key: tuple, compute):
    """Return ``compute()``, cached on disk under ``key`` (value must be marshallable).

    For data derived from the pattern tables at import (e.g. their literal screens)."""
    key = ("memo",) + key
    if key in _cache:
        return _cache[key]
    value = compute()
    _new[key] = _cache[key] = value
    return value


def compile(pattern: str, flags: int = 0) -> re.Pattern:
    """Return ``re.compile(pattern, flags)``, from the on-disk cache when possible."""
    if _ENGINE is None:
        return re.compile(pattern, flags)
    key = (pattern, int(flags))
    entry = _cache.get(key)
    if entry is not None:
        try:
            return _sre.compile(pattern, *entry)
        except Exception:  # stale or foreign entry: compile the normal way
            pass
    try:
        parsed = _parser.parse(pattern, int(flags))
        code = _compiler._code(parsed, int(flags))
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        entry = (
            int(int(flags) | parsed.state.flags),
            [int(op) for op in code],
            int(parsed.state.groups - 1),
            groupindex,
            tuple(indexgroup),
        )
        compiled = _sre.compile(pattern, *entry)
    except Exception:
        return re.compile(pattern, flags)
    _new[key] = entry
    return compiled


@atexit.register
def _save() -> None:
    """Write newly compiled programs next to the bytecode cache (best effort)."""
    if not _new or _ENGINE is None:
        return
    _cache.update(_new)
    _new.clear()
    temporary = f"{_PATH}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(_PATH), exist_ok=True)
        with open(temporary, "wb") as handle:
            marshal.dump((_ENGINE, _cache), handle)
        os.replace(temporary, _PATH)
    except (OSError, ValueError):
        try:
            os.unlink(temporary)
        except OSError:
            pass


_load()
