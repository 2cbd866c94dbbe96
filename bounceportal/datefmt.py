"""Date formatting for pages with many dates: Django's ``dateformat.format`` output, with the format compiled once.

``dateformat.format`` splits its format string with a regular expression and resolves the time zone
(ambiguous or imaginary times) for every value; a 50-row page calls it a hundred times or more. A format
made only of numeric codes (``Y m d H i s`` and the like: every portal format but month names) is
compiled here once into a ``%`` template over the value's fields; any other format goes to Django.
The text is the same either way (tests/test_datefmt.py compares them).
"""

import functools
import operator
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import cast

from django.utils import dateformat

# The codes that are a plain field of the value, as Django's DateFormat writes them.
_NUMERIC = {
    "Y": ("year", "%04d"),
    "m": ("month", "%02d"),
    "n": ("month", "%d"),
    "d": ("day", "%02d"),
    "j": ("day", "%d"),
    "H": ("hour", "%02d"),
    "G": ("hour", "%d"),
    "i": ("minute", "%02d"),
    "s": ("second", "%02d"),
}
_TIME_CODES = frozenset("GHis")
# Django's own splitting rules (django/utils/dateformat.py).
_CODES = re.compile(r"(?<!\\)([aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ])")
_ESCAPED = re.compile(r"\\(.)")


@functools.cache
def _compiled(format_string: str) -> tuple[str, Callable[[date], tuple[int, ...]], bool] | None:
    """(template, the value's fields it takes, uses time codes) for a format of numeric codes only, else None."""
    template, fields, timed = [], [], False
    for i, piece in enumerate(_CODES.split(format_string)):
        if i % 2:
            if piece not in _NUMERIC:
                return None
            field, spec = _NUMERIC[piece]
            template.append(spec)
            fields.append(field)
            timed = timed or piece in _TIME_CODES
        elif piece:
            template.append(_ESCAPED.sub(r"\1", piece).replace("%", "%%"))
    # attrgetter gives a tuple for two fields or more, the bare value for one.
    getter = operator.attrgetter(*fields) if len(fields) > 1 else (lambda value: (getattr(value, fields[0]),))
    fields_of = cast("Callable[[date], tuple[int, ...]]", getter if fields else (lambda value: ()))
    return "".join(template), fields_of, timed


def format_value(value: date | datetime, format_string: str) -> str:
    """``django.utils.dateformat.format(value, format_string)``, compiled for numeric formats."""
    compiled = _compiled(str(format_string))
    if compiled is None or (compiled[2] and not isinstance(value, datetime)):
        return dateformat.format(value, format_string)  # Django's text, or its TypeError for a date
    template, fields_of, _timed = compiled
    return template % fields_of(value)
