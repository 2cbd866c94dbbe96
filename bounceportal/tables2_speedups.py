"""Make django-tables2 stop re-inspecting the same functions for every table cell.

django-tables2 calls ``inspect.signature`` on a column's render/value method for
each cell it renders (``utils.call_with_appropriate``): on a 50-row page that is
a third of the rendering time, and it makes a 10,000-row CSV export three times
slower (bench/pages.py). The signature of a function never changes, so it is
computed once per function here.
"""

import django_tables2.utils as tables2_utils

_original_signature = tables2_utils.signature
_cache: dict = {}


def _cached_signature(fn):
    # A bound method and its function have different signatures (``self``), hence the flag.
    key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
    try:
        return _cache[key]
    except KeyError:
        result = _cache[key] = _original_signature(fn)
        return result
    except TypeError:  # an unhashable callable: inspect it every time, as before
        return _original_signature(fn)


def install() -> None:
    """Replace django-tables2's signature() with the cached one (idempotent)."""
    tables2_utils.signature = _cached_signature
