"""Helpers shared by the apps' admin modules: read-only audit tables and a paginator for huge tables."""

from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, ChangeList
from django.core.paginator import EmptyPage, Paginator
from django.db import connections
from django.utils.functional import cached_property

from bounceportal.reversing import url_by_id


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


class CappedPaginator(LargeTablePaginator):
    """A ``LargeTablePaginator`` whose pages stop at ``OFFSET_CAP`` rows: a page number past that is the
    last page offered, so no admin page runs a deep OFFSET (OFFSET 500,000 on sends cost 1.2 s). Past it
    the list goes on by keyset: ``KeysetChangeList.older_url``."""

    @property
    def num_pages(self):
        from bounceportal.pagination import OFFSET_CAP

        return min(super().num_pages, OFFSET_CAP // self.per_page + 1)

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            if int(number) > 1:
                return self.num_pages
            raise


class KeysetChangeList(ChangeList):
    """The admin list, with a link to the rows older than the page when it is in id order, newest first.

    The link is the admin's own ``?id__lt=<the page's last id>`` lookup (a plain filter on the primary key,
    dropped page number): an index range from there, however deep, and stable while rows are added.
    Each row's change link is reversed once per list (``url_by_id``), not once per row.
    """

    @cached_property
    def _change_url(self):
        opts = self.opts
        return url_by_id(
            f"admin:{opts.app_label}_{opts.model_name}_change", current_app=self.model_admin.admin_site.name
        )

    def url_for_result(self, result):
        # ChangeList's reverse(..., args=(quote(pk),)): quote() leaves an integer as it is.
        pk = getattr(result, self.pk_attname)
        return self._change_url(pk) if type(pk) is int else super().url_for_result(result)

    @property
    def older_url(self) -> str | None:
        if ORDER_VAR in self.params or tuple(self.model_admin.ordering or ()) != ("-pk",):
            return None
        rows = list(self.result_list)
        if len(rows) < self.list_per_page:
            return None
        return self.get_query_string({"id__lt": rows[-1].pk}, [PAGE_VAR])


class KeysetAdminMixin:
    """Admin lists of the large tables: no full count, pages capped at ``OFFSET_CAP`` rows, "Older" by id
    (when the admin's ``ordering`` is ``("-pk",)``, as theirs is)."""

    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return CappedPaginator(queryset, per_page, orphans, allow_empty_first_page)

    def get_changelist(self, request, **kwargs):
        return KeysetChangeList


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
