"""CSV export for every portal table: ``?export=csv`` streams the view's table.

Cells are neutralized against formula injection (a cell starting with
``= + - @``, a tab or a carriage return gets a leading ``'``) because bounce
text, subjects and names are attacker-controlled and spreadsheets execute
formulas. Large exports are streamed: rows are read with ``iterator()`` and
written as they come, so memory stays flat whatever the row count.
"""

import csv
import html
from datetime import datetime

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.text import slugify
from django_tables2 import RequestConfig
from django_tables2.rows import BoundRow

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_CHUNK_SIZE = 2000


def neutralize(value) -> str:
    """Return the cell as text that a spreadsheet shows instead of evaluating.

    A date and time is written in the current time zone (the organization's, see
    ``contacts.tenancy``) with its UTC offset, so the file says which zone it is in.
    """
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).isoformat(sep=" ", timespec="seconds")
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_response(rows, filename: str) -> StreamingHttpResponse:
    """Stream ``rows`` (an iterable of lists, header first) as a CSV attachment, every cell neutralized."""
    writer = csv.writer(_Echo())
    zone = timezone.get_current_timezone()  # the rows are read after the view returns

    def lines():
        # English whatever the reader's language: scripts and spreadsheets key on the header words
        # and the labels, so one export's format must not change with who downloads it.
        with timezone.override(zone), translation.override("en"):
            for row in rows:
                yield writer.writerow([neutralize(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def plain(value):
    """A cell as plain text: HTML a column rendered (links, badges) becomes its text."""
    if isinstance(value, SafeData):
        return html.unescape(strip_tags(str(value))).strip()
    return value


def _plain_attribute(table, bound_column):
    """The attribute name to read directly when a column shows a model attribute as it is, else None.

    django-tables2 computes every cell through several layers (~20 µs); for a plain
    column without render/value methods or choices the value is just the attribute,
    which makes a 10,000-row export several times faster.
    """
    name, accessor = bound_column.name, str(bound_column.accessor)
    if type(bound_column.column) is not tables.Column or "." in accessor or "__" in accessor:
        return None
    if hasattr(table, f"render_{name}") or hasattr(table, f"value_{name}"):
        return None
    model = getattr(table._meta, "model", None)
    if model is not None:
        try:
            if model._meta.get_field(accessor).choices:
                return None
        except FieldDoesNotExist:
            pass  # a property such as full_name
    return accessor


def table_rows(table):
    """Yield the table's header and then one list of cell values per record, reading lazily."""
    columns = [column for column in table.columns if not column.column.exclude_from_export]
    yield [strip_tags(str(column.header)) for column in columns]
    direct = [_plain_attribute(table, column) for column in columns]
    data = table.data.data
    records = data.iterator(chunk_size=EXPORT_CHUNK_SIZE) if isinstance(data, QuerySet) else iter(data)
    for record in records:
        row = getattr(table, "row_class", BoundRow)(record, table=table)
        yield [
            getattr(record, attribute, None)
            if attribute and not isinstance(record, dict)
            else plain(row.get_cell_value(column.name))
            for attribute, column in zip(direct, columns)
        ]


class ExportMixin:
    """Adds ``?export=csv`` to a table view: the whole filtered, sorted table as CSV, unpaginated.

    Works with ``SingleTableMixin`` (plus ``FilterView``); views with several
    tables override ``get_export_table()`` to pick one from ``?table=``.
    """

    export_name = "export"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            with translation.override("en"):  # the rows' labels too (see csv_response)
                table = self.get_export_table()
            return csv_response(table_rows(table), self.get_export_filename())
        return super().get(request, *args, **kwargs)

    def get_export_filename(self) -> str:
        return slugify(self.export_name) or "export"

    def get_export_queryset(self):
        if hasattr(self, "get_filterset_class"):
            self.filterset = self.get_filterset(self.get_filterset_class())
            if not self.filterset.is_valid():
                return self.get_queryset().none()
            return self.filterset.qs
        return self.get_table_data()

    def get_export_table(self):
        table = self.get_table_class()(self.get_export_queryset(), **self.get_table_kwargs())
        RequestConfig(self.request, paginate=False).configure(table)
        return table
