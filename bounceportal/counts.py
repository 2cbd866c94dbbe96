"""Adding up result counts (the one loop every batched job's result uses to sum its batches), and which
filters of a list are in use (a list counts from its counters only when none or one known filter is)."""

from collections.abc import Iterable
from dataclasses import fields


def add_counts(total, part, names: Iterable[str] | None = None) -> None:
    """Add ``part``'s counts to ``total``'s: the fields ``names``, or every int field of ``part`` (a dataclass)."""
    if names is None:
        names = [f.name for f in fields(part) if isinstance(getattr(part, f.name), int)]
    for name in names:
        setattr(total, name, getattr(total, name) + getattr(part, name))


def active_filters(filterset) -> dict[str, str]:
    """{filter name: value} of the filters ``filterset`` (django-filter) was given a value for."""
    return {name: value for name in filterset.filters if (value := filterset.data.get(name))}
