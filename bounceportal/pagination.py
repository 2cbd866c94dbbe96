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
# ``?per_page=`` is read from the query string: a viewer asking for 50,000 rows made one page cost a
# minute and 44 MB, so every table clamps it to 1..MAX_PER_PAGE (bounceportal/tables.py).
MAX_PER_PAGE = 200
# A page whose first row would lie beyond this offset is past the end of any list we hold; it is
# never sent to the database (PostgreSQL refuses an OFFSET beyond bigint with a 500).
MAX_OFFSET = 10**9
# Lists that page by keyset (bounceportal/keyset.py) fall back to OFFSET for a sort without an index;
# such a page never starts past this many rows (OFFSET 500,000 on a run's sends cost 1.2 s).
OFFSET_CAP = 10_000


def bounded_per_page(value, default: int) -> int:
    """``value`` as a page size within 1..MAX_PER_PAGE; ``default`` when it is missing or not a number."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, 1), MAX_PER_PAGE)


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
