"""The large tables' admin lists with their rows' column work done once per page: ``{% keyset_result_list cl %}``.

Django's ``items_for_result`` works each ``list_display`` column out again for every one of a page's 100 rows:
the field (``lookup_field``), a fresh dict of its choices (``flatchoices``), the boolean icons' static URLs,
the empty value's lazy translation, the change link's ``reverse()`` and, with a filter set,
``add_preserved_filters``' ``resolve()``, and Django's ``dateformat`` for each date. The lists of
``KeysetAdminMixin`` (their change_list.html) give the admin's change_list_results.html the same ``results``
with that work done once per page; the cells are the same characters (tests/test_admin_rows.py). A model
field's cell is made here; any other column (the action checkbox, a model admin's method, a property) is
Django's own code, and a list with editable fields, a popup or ``to_field`` gets Django's rows whole.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    items_for_result,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import display_for_field, lookup_field
from django.db import models
from django.urls import NoReverseMatch
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs

from bounceportal.datefmt import format_value
from bounceportal.reversing import MARKER, split_at_marker

register = template.Library()
_NOT_A_FIELD = object()


class _Column:
    """One ``list_display`` column of a page: its ``<td>``/``<th>`` class, whether it links to the change page,
    and, for a model field, how its value is shown (what ``display_for_field`` would do, prepared once)."""

    def __init__(self, cl, name: str, link: bool, first_link: bool, sample) -> None:
        self.name, self.link, self.tag = name, link, "th" if first_link else "td"
        self.empty = cl.model_admin.get_empty_value_display()
        field, _attr, _value = lookup_field(name, sample, cl.model_admin)
        self.field = field if field is not None and not field.auto_created else None
        classes = [f"field-{name}"]
        if isinstance(self.field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes.append("nowrap")
        self.row_class = mark_safe(f' class="{" ".join(classes)}"')
        self.choices = dict(self.field.flatchoices) if self.field is not None and self.field.flatchoices else None
        self.foreign = self.field is not None and isinstance(self.field.remote_field, models.ManyToOneRel)
        self.boolean = isinstance(self.field, models.BooleanField) and self.choices is None
        icon = admin_list._boolean_icon  # type: ignore[attr-defined]  # not in the stubs
        self.icons = {value: icon(value) for value in (True, False, None)} if self.boolean else {}
        self.datetime_format = get_format("DATETIME_FORMAT") if isinstance(self.field, models.DateTimeField) else ""

    def shown(self, value: Any) -> Any:
        """``display_for_field(value, field, empty)``, from what was prepared."""
        field = self.field
        assert field is not None
        if self.choices is not None:
            try:
                return self.choices.get(value, self.empty)
            except TypeError:  # an unhashable value: Django's own way
                return display_for_field(value, field, self.empty, avoid_link=self.link)
        if self.boolean:
            return self.icons[value] if value in self.icons else display_for_field(value, field, self.empty)
        if value in field.empty_values:
            return self.empty
        if self.datetime_format:
            return format_value(template_localtime(value), self.datetime_format)
        return display_for_field(value, field, self.empty, avoid_link=self.link)


class _Page:
    """The columns of ``cl``'s page and its change links (one reversed URL with the id put in)."""

    def __init__(self, cl, sample) -> None:
        self.cl = cl
        links = cl.list_display_links
        self.columns, first = [], True
        for name in cl.list_display:
            link = links is not None and ((first and not links) or name in links)
            self.columns.append(_Column(cl, name, link, link and first, sample))
            first = first and not link
        self.link_parts: tuple[str, str] | None = None
        try:
            url = cl.url_for_result(_Marked(cl, sample))
        except NoReverseMatch:
            return
        url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
        self.link_parts = split_at_marker(url)

    def cells(self, result) -> list[SafeString]:
        """``items_for_result(cl, result, None)`` as a list."""
        cells, cl = [], self.cl
        for column in self.columns:
            if column.field is None:  # Django's own cell: the only column of the row it makes
                cells.append(next(iter(items_for_result(_OneColumn(cl, column), result, None))))  # type: ignore[arg-type]
                continue
            value = getattr(result, column.name)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            shown = (column.empty if value is None else value) if column.foreign else column.shown(value)
            cells.append(self._cell(column, result, shown))
        return cells

    def _cell(self, column: _Column, result, shown) -> SafeString:
        content: str = conditional_escape(shown)
        if column.link:
            url = self._link(result)
            if url is not None:
                content = f'<a href="{conditional_escape(url)}">{content}</a>'
        return mark_safe(f"<{column.tag}{column.row_class}>{content}</{column.tag}>")  # each part escaped

    def _link(self, result) -> str | None:
        pk = getattr(result, self.cl.pk_attname)
        if self.link_parts is not None and type(pk) is int and pk >= 0:
            return f"{self.link_parts[0]}{pk}{self.link_parts[1]}"
        try:
            url = self.cl.url_for_result(result)
        except NoReverseMatch:
            return None
        return add_preserved_filters({"preserved_filters": self.cl.preserved_filters, "opts": self.cl.opts}, url)


class _Marked:
    """A stand-in row whose primary key is ``MARKER`` (for the one reversed change link)."""

    def __init__(self, cl, sample) -> None:
        setattr(self, cl.pk_attname, MARKER)
        self._meta = sample._meta


class _OneColumn:
    """``cl`` seen by ``items_for_result`` as having one column (and that column's link, first or not)."""

    def __init__(self, cl, column: _Column) -> None:
        assert not column.link  # only a column without the change link is rendered on its own
        self._cl, self.list_display, self.list_display_links = cl, [column.name], None

    def __getattr__(self, name):
        return getattr(self._cl, name)


def rows(cl) -> list[ResultList]:
    """The ``results`` of Django's ``result_list`` for ``cl``."""
    results = list(cl.result_list)
    page = _Page(cl, results[0]) if results and _covered(cl) else None
    if page is None or any(column.field is None and column.link for column in page.columns):
        return [ResultList(None, items_for_result(cl, result, None)) for result in results]
    return [ResultList(None, page.cells(result)) for result in results]


def _covered(cl) -> bool:
    """Whether ``_Page`` makes ``cl``'s rows: no editable fields, popup or ``to_field``, columns named by strings."""
    return not (cl.formset or cl.is_popup or cl.to_field) and all(isinstance(name, str) for name in cl.list_display)


def keyset_result_list(cl) -> dict[str, Any]:
    """The context of Django's ``{% result_list cl %}``, with ``rows``."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": rows(cl),
    }


@register.tag(name="keyset_result_list")
def keyset_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=keyset_result_list, template_name="change_list_results.html", takes_context=False
    )
