"""Helpers shared by the apps' admin modules: read-only audit tables and a paginator for huge tables."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class ReadOnlyAdminMixin:
    """Nobody adds, changes or deletes these rows in the admin, not even a superuser."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LargeTablePaginator(Paginator):
    """Counts exactly up to ``exact_limit`` rows and estimates above that.

    The admin changelist counts its (filtered) result on every page; on a table
    of millions of learners a COUNT(*) is a full scan. The bounded count reads
    at most ``exact_limit + 1`` rows; past it, PostgreSQL's planner estimate
    stands in and ``is_estimate`` lets the templates say "about".
    """

    exact_limit = 10_000
    is_estimate = False

    @cached_property
    def count(self):
        queryset = self.object_list.order_by()
        exact = queryset[: self.exact_limit + 1].count()
        if exact <= self.exact_limit or connections[queryset.db].vendor != "postgresql":
            return exact if exact <= self.exact_limit else queryset.count()
        self.is_estimate = True
        return max(self.exact_limit + 1, _planner_estimate(queryset))


def _planner_estimate(queryset) -> int:
    """Return PostgreSQL's estimate of the number of rows ``queryset`` yields."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # psycopg returns parsed JSON, but be safe with other adapters
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
