"""django-tables2's DateColumn, DateTimeColumn and CheckBoxColumn, cheaper per cell (the same markup).

Both stock columns are TemplateColumns whose ``render`` builds ``Template('{{ value|date:"FORMAT"|default:default }}')``
anew for each cell it renders (django_tables2/columns/templatecolumn.py): a parse and a compile per cell,
on every request — a tenth of the learner report's CPU with its trend table of 30 dates. The columns below
render the same text from the same filter (the template engine's ``date``, on the value in the current time
zone, as ``{{ }}`` passes it) and keep the stock export value (``value()``).
"""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs
from django.utils.translation import get_language
from django_tables2.utils import AttributeDict


class _DateFormatted:
    """``render`` as the stock template writes it: ``{{ value|date:format|default:default }}``, escaped."""

    format: str

    def render(self, value: Any, bound_column: Any) -> Any:
        text = date_filter(template_localtime(value), self.format)
        return conditional_escape(text) if text else bound_column.default


class DateColumn(_DateFormatted, tables.DateColumn):
    """A date in ``format`` (the ``date`` filter's syntax; default SHORT_DATE_FORMAT, or DATE_FORMAT)."""

    def __init__(self, format: str | None = None, short: bool = True, *args: Any, **kwargs: Any) -> None:
        self.format = format or ("SHORT_DATE_FORMAT" if short else "DATE_FORMAT")
        super().__init__(self.format, short, *args, **kwargs)


class DateTimeColumn(_DateFormatted, tables.DateTimeColumn):
    """A date and time in the current time zone, in ``format`` (default SHORT_DATETIME_FORMAT, or DATETIME_FORMAT)."""

    def __init__(self, format: str | None = None, short: bool = True, *args: Any, **kwargs: Any) -> None:
        self.format = format or ("SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")
        super().__init__(self.format, short, *args, **kwargs)


class CheckBoxColumn(tables.CheckBoxColumn):
    """django-tables2's CheckBoxColumn whose cell ``<input>`` is written around the row's value.

    The stock render merges the column's attributes into a new dict, computes every value and renders an
    ``AttributeDict`` for each row (a tenth of the learner list's CPU); only ``value`` changes from row to
    row, so the attributes before and after it are rendered once per column, name and language (the
    labels are lazy translations). A column with ``checked``, or a callable attribute, renders as stock.
    """

    def render(self, value, bound_column, record) -> SafeString:
        extra = self.attrs.get("td__input") or self.attrs.get("input") or {}
        if value is None or self.checked is not None or "value" in extra or any(callable(v) for v in extra.values()):
            return super().render(value=value, bound_column=bound_column, record=record)
        key = (bound_column.name, get_language())
        parts = self.__dict__.setdefault("_input_parts", {})
        if key not in parts:
            attrs = list({"type": "checkbox", "name": bound_column.name, "value": None, **extra}.items())
            at = [name for name, _v in attrs].index("value")
            parts[key] = (AttributeDict(attrs[:at]).as_html(), AttributeDict(attrs[at + 1 :]).as_html())
        before, after = parts[key]
        cell = " ".join(part for part in (before, f'value="{conditional_escape(value)}"', after) if part)
        return mark_safe(f"<input {cell} />")
