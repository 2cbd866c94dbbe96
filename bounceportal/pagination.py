"""Pagination for lists that may hold a million rows.

``LazyPaginator`` (django-tables2) fetches one page plus a look-ahead row and
never counts; ``capped_count`` gives the heading a number that stays cheap: it
counts at most ``cap + 1`` rows, so "10,000+" is shown instead of scanning
every matching row on each page view.
"""

from django_tables2.paginators import LazyPaginator

LIST_PAGINATION = {"per_page": 50, "paginator_class": LazyPaginator}
COUNT_CAP = 10_000


def capped_count(queryset, cap: int | None = None) -> tuple[int, bool]:
    """Return (count, more) where count is at most ``cap`` and ``more`` says there are more rows."""
    cap = COUNT_CAP if cap is None else cap
    count = queryset.order_by().values("pk")[: cap + 1].count()
    return min(count, cap), count > cap
