"""The portal's DateColumn and DateTimeColumn write what django-tables2's write, without a template per cell."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import django_tables2 as tables
import pytest
from django.template import base
from django.utils import timezone, translation

from bounceportal import columns
from bounceportal.export import table_rows

RECORDS = [
    {"day": date(2026, 3, 4), "at": datetime(2026, 3, 4, 23, 30, tzinfo=UTC)},
    {"day": date(2026, 12, 31), "at": datetime(2026, 1, 1, 0, 5, 9, tzinfo=UTC)},
    {"day": None, "at": None},
]


def _table(module, **formats):
    class Dates(tables.Table):
        day = module.DateColumn(**formats.get("day", {}))
        at = module.DateTimeColumn(default="never", **formats.get("at", {}))

    return Dates(RECORDS)


def _cells(table):
    return [[cell for _column, cell in row.items()] for row in table.rows]


FORMATS = [
    {},
    {"day": {"short": False}, "at": {"short": False}},
    {"day": {"format": "Y-m-d"}, "at": {"format": "Y-m-d H:i"}},
    {"day": {"format": "D, j M Y <b>"}, "at": {"format": "N j, Y, P T"}},
]


@pytest.mark.parametrize("formats", FORMATS)
@pytest.mark.parametrize(("language", "zone"), [("en", "UTC"), ("de", "Europe/Berlin"), ("en", "America/New_York")])
def test_cells_and_exports_are_the_stock_columns(formats, language, zone):
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        ours, theirs = _table(columns, **formats), _table(tables, **formats)

        assert _cells(ours) == _cells(theirs)
        assert list(table_rows(ours)) == list(table_rows(theirs))


def test_a_cell_compiles_no_template(monkeypatch):
    compiled = []
    compile_nodelist = base.Template.compile_nodelist
    monkeypatch.setattr(base.Template, "compile_nodelist", lambda t: compiled.append(t) or compile_nodelist(t))

    _cells(_table(tables))
    stock = len(compiled)
    compiled.clear()
    _cells(_table(columns))

    assert stock >= 4 and compiled == []


def _boxes(module, **column):
    class Boxes(tables.Table):
        select = module.CheckBoxColumn(accessor="pk", **column)

    return Boxes([{"pk": 1}, {"pk": 22}, {"pk": "<x>"}])


@pytest.mark.parametrize(
    "column",
    [
        {},
        {"attrs": {"td__input": {"aria-label": translation.gettext_lazy("Select this learner"), "class": "a&b"}}},
        {"attrs": {"input": {"type": "radio", "data-x": "1"}}},
        {"attrs": {"td__input": {"value": "fixed", "title": None}}},
        {"attrs": {"td__input": {"title": lambda record: f"row {record['pk']}"}}},
        {"checked": lambda value, record: value == 22},
    ],
)
@pytest.mark.parametrize("language", ["en", "de"])
def test_checkbox_cells_are_the_stock_columns(column, language):
    with translation.override(language):
        ours, theirs = _cells(_boxes(columns, **column)), _cells(_boxes(tables, **column))

    assert ours == theirs and len(ours) == 3


def test_a_checkbox_label_follows_the_language_of_each_request():
    column = {"attrs": {"td__input": {"aria-label": translation.gettext_lazy("Select this learner")}}}
    table = _boxes(columns, **column)

    with translation.override("en"):
        english = _cells(table)
    with translation.override("de"):
        german = _cells(table)

    assert english != german and "Select this learner" in english[0][0]
