"""Pagination for lists that may hold a million rows.

``LazyPaginator`` (django-tables2) fetches one page plus a look-ahead row and
never counts; ``capped_count`` gives the heading a number that stays cheap: it
counts at most ``cap + 1`` rows, so "10,000+" is shown instead of scanning
every matching row on each page view.
"""

from django.db import connections
from django.db.models import Value
from django_tables2.paginators import LazyPaginator

LIST_PAGINATION = {"per_page": 50, "paginator_class": LazyPaginator}
COUNT_CAP = 10_000


def capped_count(queryset, cap: int | None = None) -> tuple[int, bool]:
    """Return (count, more) where count is at most ``cap`` and ``more`` says there are more rows."""
    cap = COUNT_CAP if cap is None else cap
    count = limited_count(queryset, cap + 1)
    return min(count, cap), count > cap


def limited_count(queryset, limit: int) -> int:
    """Count the rows of ``queryset``, reading at most ``limit`` of them."""
    rows = queryset.order_by()
    if connections[queryset.db].vendor == "postgresql":
        # No column selected (Django prunes the constant): PostgreSQL then counts from an index
        # alone. SQLite cannot parse an empty select list, so it selects the id.
        rows = rows.annotate(one=Value(1)).values("one")
    else:
        rows = rows.values("pk")
    return rows[:limit].count()
