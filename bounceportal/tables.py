"""The portal's base table: django-tables2's Table, minus a per-cell ``inspect.signature``, with rows
rendered in Python.

django-tables2 calls ``inspect.signature`` on a column's render/value method for each cell it
renders (``utils.call_with_appropriate``): on a 50-row page that is a third of the rendering
time, and it makes a 10,000-row CSV export several times slower (bench/pages.py). The
signature of a function never changes, so rows of a ``Table`` below look it up once per
function. Only the portal's own tables (subclasses of this one) are affected: django-tables2
itself is left as it is.

Rows are also rendered to HTML here (``Row.html``, used by includes/table.html) rather than by
django-tables2's template loop: that loop resolves ``column.attrs.td.as_html`` (a fresh dict of
attributes, copied and merged) and a localized ``{{ cell }}`` for every cell, which was half of a
50-row page's time (bench/pages.py). The markup is the template's: the same attributes and escaping.
A cell's ``<td>`` attributes are built once per column and page unless one is a callable (which may
depend on the record). A column on a field with choices is labelled by a dict lookup, not by the
model's ``get_FOO_display()`` (which hashes every lazy label of the choices, one gettext each).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime, template_localtime  # type: ignore[attr-defined]  # not in the stubs
from django_tables2.columns import ManyToManyColumn
from django_tables2.rows import BoundRow, BoundRows
from django_tables2.utils import A, signature

from bounceportal.datefmt import format_value
from bounceportal.keyset import BAD_CURSOR, InvalidCursor, Key, key_of, keyset_page, order_by_of, reversed_key
from bounceportal.pagination import MAX_OFFSET, OFFSET_CAP, bounded_per_page

Signature = tuple[tuple[str, ...], str | None]


def local_datetime(value, format_name: str = "SHORT_DATETIME_FORMAT") -> str:
    """``value`` in the current time zone (the organization's), in the active language's format.

    The formats are bounceportal/formats/<language>/formats.py's: 2026-03-04 23:30 in English,
    04.03.2026 23:30 in German.
    """
    return format_value(localtime(value), get_format(format_name))


# Keyed weakly by the function (a bound method's __func__), so a callable made per request
# cannot grow the cache; a bound method's signature lacks ``self``, hence two caches.
_signatures: dict[bool, weakref.WeakKeyDictionary[Any, Signature]] = {
    True: weakref.WeakKeyDictionary(),
    False: weakref.WeakKeyDictionary(),
}


def cached_signature(fn: Callable[..., Any]) -> Signature:
    """django-tables2's ``signature(fn)``, computed once per function."""
    cache = _signatures[hasattr(fn, "__self__")]
    key = getattr(fn, "__func__", fn)
    try:
        return cache[key]
    except KeyError:
        result = cache[key] = signature(fn)
        return result
    except TypeError:  # not weakly referenceable or not hashable: inspect it every time
        return signature(fn)


def call_with_appropriate(fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """django-tables2's ``call_with_appropriate`` (the same contract) with the signature cached:
    pass ``fn`` the keyword arguments it names (all of them if it takes ``**kwargs``), or
    return None without calling it when one it names is missing."""
    args, kwargs_name = cached_signature(fn)
    if not kwargs_name:
        if any(arg not in kwargs for arg in args):
            return None
        kwargs = {arg: kwargs[arg] for arg in args}
    return fn(**kwargs)


_labels: weakref.WeakKeyDictionary[Any, dict[Any, Any]] = weakref.WeakKeyDictionary()


def choice_label(field: models.Field, value: Any) -> Any:
    """What ``instance.get_FOO_display()`` returns for ``value`` of ``field`` (the label, or the value
    itself when it is no choice), by a dict lookup kept per field: the labels stay lazy, translated
    when used, so one dict serves every language."""
    try:
        labels = _labels[field]
    except KeyError:
        labels = _labels[field] = dict(field.flatchoices)
    try:
        label = labels.get(value, value)
    except TypeError:  # an unhashable value (a JSON list): never a choice
        return value
    return label if label is value else str(label)


def label_of(instance: models.Model, name: str) -> Any:
    """``instance.get_<name>_display()``, by ``choice_label``."""
    field = instance._meta.get_field(name)
    assert isinstance(field, models.Field), name  # a concrete field, not a reverse relation
    return choice_label(field, getattr(instance, field.attname))


def _dynamic(attrs: Any) -> bool:
    """Whether ``attrs`` (a column's or table's attrs, nested dicts) holds a callable anywhere."""
    if callable(attrs):
        return True
    return isinstance(attrs, dict) and any(_dynamic(value) for value in attrs.values())


_MISSING = object()


@functools.cache
def _plan(model: type[models.Model], accessor: str) -> tuple[str, Any] | None:
    """How a cell reads a ``model`` record through ``accessor``: ("choice", field) for a field with choices,
    ("attr", name) for another field or attribute, None when the accessor has several parts (django-tables2's
    own resolution then). Kept per model and accessor: the answer depends on nothing else."""
    if not accessor or "." in accessor or "__" in accessor or hasattr(model, "__getitem__"):
        return None
    try:
        field = model._meta.get_field(accessor)
    except FieldDoesNotExist:
        return ("attr", accessor)
    if getattr(field, "choices", None) and hasattr(field, "attname"):
        return ("choice", field)
    return ("attr", accessor)


def _cell_html(bound_column, cell) -> str:
    """``cell`` as django-tables2's table.html shows it in a ``<td>`` (its ``localize`` rule, escaped)."""
    if isinstance(cell, str):  # what localize() and template_localtime() give back unchanged
        return cell.__html__() if hasattr(cell, "__html__") else escape(cell)
    if bound_column.localize is None:
        cell = localize(template_localtime(cell))
    else:
        cell = str(localize(cell, use_l10n=bool(bound_column.localize)))
    return conditional_escape(cell if isinstance(cell, str) else str(cell))


# The keyword arguments django-tables2 offers a render method (BoundRow._optional_cell_arguments), in order.
_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")


class _Cell:
    """What a row needs of one bound column to render its cell, looked up once per table (page): the
    accessor, the render method and which of ``_ARGUMENTS`` it takes, its ``<td>`` attributes when static.
    ``picks`` is None when the shortcut does not apply (a link, a many-to-many column, a ``**kwargs`` or an
    argument django-tables2 does not offer): such a cell goes django-tables2's way."""

    __slots__ = ("accessor", "column", "picks", "render", "td")

    def __init__(self, column, td: str | None) -> None:
        self.column, self.td, self.accessor, self.render = column, td, str(column.accessor), column.render
        args, kwargs_name = cached_signature(column.render)
        plain = not kwargs_name and not column.link and not isinstance(column.column, ManyToManyColumn)
        if plain and all(arg in _ARGUMENTS for arg in args):
            self.picks: tuple[tuple[str, int], ...] | None = tuple((arg, _ARGUMENTS.index(arg)) for arg in args)
        else:
            self.picks = None


class Row(BoundRow):
    """A row whose cells call render/value methods through ``call_with_appropriate`` above, and that
    renders itself to HTML (``html``)."""

    def _get_and_render_with(self, bound_column, render_func, default):
        # django-tables2's, with a fast path for a model field or attribute named by a one-part accessor (what
        # the portal's columns are), and a field with choices labelled by ``choice_label``.
        record = self.record
        plan = _plan(type(record), str(bound_column.accessor)) if isinstance(record, models.Model) else None
        if plan is None or isinstance(bound_column.column, ManyToManyColumn):
            return self._resolved_and_rendered(bound_column, render_func, default)
        kind, target = plan
        if kind == "choice":
            value = choice_label(target, getattr(record, target.attname))
        else:
            try:
                value = getattr(record, target)
            except Exception:  # django-tables2 has its own rule for a column it cannot read
                value = _MISSING
            if value is _MISSING or callable(value):  # django-tables2 calls (or refuses) it
                return self._resolved_and_rendered(bound_column, render_func, default)
        if value in bound_column.column.empty_values:
            return default
        return render_func(bound_column, value)

    def _resolved_and_rendered(self, bound_column, render_func, default):
        accessor = A(bound_column.accessor)
        penultimate, remainder = accessor.penultimate(self.record)
        if isinstance(penultimate, models.Model):
            try:
                field = penultimate._meta.get_field(remainder)
            except FieldDoesNotExist:
                field = None
            if field is not None and getattr(field, "choices", None) and hasattr(field, "attname"):
                value = choice_label(field, getattr(penultimate, field.attname))
                if value in bound_column.column.empty_values:
                    return default
                return render_func(bound_column, value)
        return super()._get_and_render_with(bound_column, render_func, default)

    def html(self) -> SafeString:
        """The row as table.html's ``<tr>``: each cell in a ``<td>`` with its column's attributes."""
        table, record = self._table, self.record
        model = type(record) if isinstance(record, models.Model) else None
        cells = []
        for plan in table._cells():
            column = plan.column
            cell = self._fast_cell(plan, model) if plan.picks is not None else _MISSING
            if cell is _MISSING:  # What BoundRow.items() does for each cell, without looking the column up by name.
                cell = self._get_and_render_with(column, render_func=self._call_render, default=column.default)
            column.current_value, column.current_record = cell, record
            attrs = plan.td if plan.td is not None else column.attrs["td"].as_html()
            cells.append(f"<td {attrs}>{_cell_html(column, cell)}</td>")
        return format_html("<tr {}>{}</tr>", table._row_attrs_html(self), mark_safe("".join(cells)))

    def _fast_cell(self, plan: _Cell, model: type[models.Model] | None) -> Any:
        """The cell as ``_get_and_render_with`` and ``_call_render`` make it, for a one-part accessor of a
        model record or a key of a dict record; ``_MISSING`` when that path does not apply."""
        value = self._value(plan.accessor, model)
        if value is _MISSING:
            return _MISSING
        column = plan.column
        if value in column.column.empty_values:
            return column.default
        offered = (value, self.record, column.column, column, self, self._table)
        return plan.render(**{arg: offered[i] for arg, i in plan.picks or ()})

    def _value(self, accessor: str, model: type[models.Model] | None) -> Any:
        record = self.record
        if model is None:  # django-tables2's Accessor.resolve gives a dict's value for the key as it is
            return record[accessor] if type(record) is dict and accessor in record else _MISSING
        target = _plan(model, accessor)
        if target is None:
            return _MISSING
        kind, name = target
        if kind == "choice":
            return choice_label(name, getattr(record, name.attname))
        try:
            value = getattr(record, name)
        except Exception:
            return _MISSING
        return _MISSING if callable(value) else value

    def _call_render(self, bound_column, value=None):
        render_kwargs = self._optional_cell_arguments(bound_column, value)
        content = call_with_appropriate(bound_column.render, render_kwargs)
        return bound_column.link(content, **render_kwargs) if bound_column.link else content

    def _call_value(self, bound_column, value=None):
        fn = bound_column.value
        if getattr(fn, "__func__", None) is tables.Column.value:
            # Column.value only passes its arguments on to render: call that directly, or its
            # signature would be inspected anew for every cell of the export.
            fn = bound_column.column.render
        return call_with_appropriate(fn, self._optional_cell_arguments(bound_column, value))


class Rows(BoundRows):
    """The table's rows (and the page's slice of them) as ``Row`` objects."""

    def __iter__(self) -> Iterator[BoundRow]:
        yield from self.generator_pinned_row(self.pinned_data.get("top"))
        for record in self.data:
            yield Row(record, table=self.table)
        yield from self.generator_pinned_row(self.pinned_data.get("bottom"))

    def __getitem__(self, key):
        if isinstance(key, slice):
            return Rows(data=self.data[key], table=self.table, pinned_data=self.pinned_data)
        return Row(record=self.data[key], table=self.table)


class Table(tables.Table):
    """Base class of every portal table (see the module docstring).

    Pages are bounded whatever the query string says: the page size is clamped to
    1..``MAX_PER_PAGE``, a page that is not a number (or below 1) is the first page, and a
    page past the end is the last one (Django's ``Paginator.get_page`` rule), found with one
    count only in that case, so ``LazyPaginator`` lists still never count on normal pages.
    """

    row_class = Row

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = Rows(data=self.data, table=self, pinned_data=self.pinned_data)
        self._td_attrs: dict[str, str] | None = None
        self._columns: list | None = None
        self._cell_plans: list[_Cell] | None = None
        self._row_attrs: dict[str, str] | None = None

    def _row_columns(self) -> list:
        """The visible bound columns, in order (``self.columns`` iterated once per table, not once per row)."""
        if self._columns is None:
            self._columns = list(self.columns)
        return self._columns

    def _cells(self) -> list[_Cell]:
        """The visible columns' ``_Cell`` plans, made on first use."""
        if self._cell_plans is None:
            static = self._static_td_attrs()
            self._cell_plans = [_Cell(column, static.get(column.name)) for column in self._row_columns()]
        return self._cell_plans

    def _row_attrs_html(self, row: BoundRow) -> str:
        """``row.attrs.as_html()``, made once per even / odd class when ``row_attrs`` holds no callable."""
        if _dynamic(self.row_attrs):
            return row.attrs.as_html()
        if self._row_attrs is None:
            self._row_attrs = {}
        parity = row.get_even_odd_css_class()
        html = self._row_attrs.get(parity)
        if html is None:
            html = self._row_attrs[parity] = row.attrs.as_html()
        return html

    def _static_td_attrs(self) -> dict[str, str]:
        """{column name: its ``<td>`` attributes as HTML} for the columns whose attrs hold no callable
        (the same for every row), built on first use; the others are left out."""
        if self._td_attrs is None:
            self._td_attrs = {}
            if not _dynamic(self.attrs):
                for column in self.columns:
                    if not _dynamic(column.column.attrs):
                        self._td_attrs[column.name] = column.attrs["td"].as_html()
        return self._td_attrs

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        per_page = bounded_per_page(per_page, self._meta.per_page)
        self.paginator = paginator_class(self.rows, per_page, *args, **kwargs)
        try:
            number = self.paginator.validate_number(page)
            if (number - 1) * per_page > MAX_OFFSET:
                raise EmptyPage("past the end")
            self.page = self.paginator.page(number)
        except PageNotAnInteger:
            self.page = self.paginator.page(1)
        except EmptyPage:
            last = 1 if _below_one(page) else max(1, -(-len(self.rows) // per_page))
            self.page = self.paginator.page(last)
        return self


def _below_one(page) -> bool:
    try:
        return int(page) < 1
    except (TypeError, ValueError):
        return True


class KeysetTable(Table):
    """A table that pages by keyset (bounceportal/keyset.py) in its default order and the sorts that have an index.

    ``keyset_default`` is the key (``order_by`` strings, unique as a whole) when no column is sorted;
    ``keyset_orders`` maps a sortable column to its ascending key (``-column`` reverses all of it). The
    page then comes from ``?cursor=`` (First / Previous / Next links, ``includes/_keyset_pager.html``):
    one index range whatever the depth, and no count. A sort without an index pages by OFFSET, capped at
    ``OFFSET_CAP`` rows (``offset_capped`` says the page shown is that last one), since such a sort reads
    the whole filtered set whatever the pager does.
    """

    keyset_default: tuple[str, ...] = ()
    keyset_orders: dict[str, tuple[str, ...]] = {}
    cursor_field = "cursor"
    keyset = False
    offset_capped = False
    offset_cap = OFFSET_CAP

    def current_key(self) -> Key | None:
        """The key of the table's current order, or None when that order pages by offset."""
        aliases = list(self.order_by or ())
        if not aliases:
            return key_of(*self.keyset_default) if self.keyset_default else None
        fields = self.keyset_orders.get(aliases[0].lstrip("-")) if len(aliases) == 1 else None
        if fields is None:
            return None
        return reversed_key(key_of(*fields)) if aliases[0].startswith("-") else key_of(*fields)

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        key = self.current_key()
        queryset = getattr(self.data, "data", None)
        if key is None or not hasattr(queryset, "filter"):
            return self._capped_offset_paginate(paginator_class, per_page, page, *args, **kwargs)
        per_page = bounded_per_page(per_page, self._meta.per_page)
        request = getattr(self, "request", None)
        token = request.GET.get(self.cursor_field) if request is not None else None
        salt = f"keyset:{type(self).__module__}.{type(self).__qualname__}:{','.join(order_by_of(key))}"
        try:
            result = keyset_page(queryset, key=key, per_page=per_page, cursor=token, salt=salt)
        except InvalidCursor:
            messages.warning(request, BAD_CURSOR)
            result = keyset_page(queryset, key=key, per_page=per_page, cursor=None, salt=salt)
        result.object_list = Rows(data=result.object_list, table=self, pinned_data=self.pinned_data)
        self.page, self.paginator, self.keyset = result, None, True
        return self

    def _capped_offset_paginate(self, paginator_class, per_page, page, *args, **kwargs):
        size = bounded_per_page(per_page, self._meta.per_page)
        last = OFFSET_CAP // size + 1
        try:
            if int(page) > last:
                page, self.offset_capped = last, True
        except (TypeError, ValueError):
            pass
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)
