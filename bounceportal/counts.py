"""Adding up result counts (the one loop every batched job's result uses to sum its batches), which
filters of a list are in use (a list counts from its counters only when none or one known filter is),
and where the summary counters are kept by triggers (campaigns/counters.py, contacts/learner_counters.py)."""

from collections.abc import Iterable
from dataclasses import fields

from django.db import connection


def add_counts(total, part, names: Iterable[str] | None = None) -> None:
    """Add ``part``'s counts to ``total``'s: the fields ``names``, or every int field of ``part`` (a dataclass)."""
    if names is None:
        names = [f.name for f in fields(part) if isinstance(getattr(part, f.name), int)]
    for name in names:
        setattr(total, name, getattr(total, name) + getattr(part, name))


def active_filters(filterset) -> dict[str, str]:
    """{filter name: value} of the filters ``filterset`` (django-filter) was given a value for."""
    return {name: value for name in filterset.filters if (value := filterset.data.get(name))}


def counters_kept_by_triggers() -> bool:
    """True where statement triggers keep the summary counter tables (PostgreSQL); SQLite counts the rows."""
    return connection.vendor == "postgresql"


def lock_for_recount(*counter_models) -> None:
    """Lock counter tables for a recount in the caller's transaction (EXCLUSIVE: readers go on, writers
    wait, so a write committed before is in the recount and a waiting one adds its change after it)."""
    if counters_kept_by_triggers():
        names = ", ".join(model._meta.db_table for model in counter_models)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
