"""Adding up result counts: the one loop every batched job's result uses to sum its batches."""

from collections.abc import Iterable
from dataclasses import fields


def add_counts(total, part, names: Iterable[str] | None = None) -> None:
    """Add ``part``'s counts to ``total``'s: the fields ``names``, or every int field of ``part`` (a dataclass)."""
    if names is None:
        names = [f.name for f in fields(part) if isinstance(getattr(part, f.name), int)]
    for name in names:
        setattr(total, name, getattr(total, name) + getattr(part, name))
