"""The portal's base table renders exactly what django-tables2 renders, only with signatures cached, rows
rendered in Python and choice labels looked up in a dict."""

import django_tables2 as tables
from django.template import Context, Template
from django.utils import timezone, translation
from django_tables2.rows import BoundRow

from bounceportal.export import table_rows
from bounceportal.tables import Row, Table, call_with_appropriate, choice_label, label_of
from contacts.models import Learner
from contacts.tables import LearnerTable
from tests.factories import LearnerFactory


def test_a_function_gets_only_the_arguments_it_names():
    def render(value, record):
        return (value, record)

    assert call_with_appropriate(render, {"value": 1, "record": 2, "table": 3}) == (1, 2)


def test_a_function_taking_kwargs_gets_every_argument():
    def render(value, **kwargs):
        return sorted(kwargs)

    assert call_with_appropriate(render, {"value": 1, "record": 2, "table": 3}) == ["record", "table"]


def test_a_function_naming_a_missing_argument_is_not_called():
    calls = []

    def render(value, bound_row):
        calls.append(value)

    assert call_with_appropriate(render, {"value": 1}) is None
    assert calls == []


def test_bound_methods_of_two_tables_use_their_own_instance():
    class Cell:
        def __init__(self, name):
            self.name = name

        def render(self, value):
            return f"{self.name}:{value}"

    first, second = Cell("a"), Cell("b")

    assert call_with_appropriate(first.render, {"value": 1}) == "a:1"
    assert call_with_appropriate(second.render, {"value": 2}) == "b:2"


def test_learner_rows_render_and_export_as_django_tables2_renders_them(org):
    LearnerFactory(organization=org, status="bounced", last_bounce_category="hard", last_bounced_at=timezone.now())
    LearnerFactory(organization=org, department="=cmd|' /C calc'!A0")
    table = LearnerTable(Learner.objects.filter(organization=org).order_by("pk"))
    plain_table = LearnerTable(Learner.objects.filter(organization=org).order_by("pk"))
    plain_table.row_class = BoundRow  # what the export does with django-tables2's own rows

    ours = [[cell for _, cell in row.items()] for row in table.rows]
    theirs = [[cell for _, cell in BoundRow(record, table=table).items()] for record in table.data]

    assert all(isinstance(row, Row) for row in table.rows)
    assert ours == theirs and len(ours) == 2
    assert list(table_rows(table)) == list(table_rows(plain_table))


# django-tables2's own row markup (django_tables2/table.html's table.tbody.row block), which Row.html replaces.
STOCK_ROW = Template(
    "{% load l10n %}<tr {{ row.attrs.as_html }}>{% for column, cell in row.items %}"
    "<td {{ column.attrs.td.as_html }}>{% if column.localize == None %}{{ cell }}{% else %}"
    "{% if column.localize %}{{ cell|localize }}{% else %}{{ cell|unlocalize }}{% endif %}{% endif %}</td>"
    "{% endfor %}</tr>"
)


class MixedTable(Table):
    """Static and per-record cell attributes, a field with choices, a localized number and markup to escape."""

    email = tables.Column(attrs={"td": {"class": "static", "data-x": "1"}})
    status = tables.Column(attrs={"td": {"class": lambda record: f"is-{record.status}"}})
    soft_bounce_count = tables.Column(localize=True)
    bounce_count = tables.Column(localize=False)
    department = tables.Column()
    last_bounced_at = tables.Column()  # a datetime: shown in the current zone and language by {{ cell }}
    suppressed = tables.Column(accessor="is_suppressed")  # a property
    organization_name = tables.Column(accessor="organization__name")  # two parts: django-tables2 resolves it
    as_text = tables.Column(accessor="__str__")  # a method: django-tables2 calls it
    missing = tables.Column(accessor="no_such_attribute", default="n/a")  # unreadable: the column's default

    class Meta:
        model = Learner
        fields = ("email", "status", "soft_bounce_count", "bounce_count", "department", "last_bounced_at")
        sequence = (*fields, "suppressed", "organization_name", "as_text", "missing")
        row_attrs = {"data-id": lambda record: record.pk}


def test_rows_render_to_the_markup_of_django_tables2s_row_template(org):
    LearnerFactory(
        organization=org,
        status="bounced",
        soft_bounce_count=12345,
        department="<b>R&D</b>",
        last_bounced_at=timezone.now(),
    )
    LearnerFactory(organization=org, status="active", bounce_count=6789)
    table = MixedTable(Learner.objects.filter(organization=org).order_by("pk"))

    with translation.override("de"):
        ours = [str(row.html()) for row in table.rows]
        stock = [STOCK_ROW.render(Context({"row": BoundRow(record, table=table)})) for record in table.data]

    assert ours == stock
    assert 'class="is-bounced"' in ours[0] and 'class="is-active"' in ours[1]
    assert ">Gebounct<" in ours[0]  # the label in the active language
    assert "12345" in ours[0] and "6789" in ours[1] and f"{timezone.now().year}" in ours[0]
    assert f"<td >{org.name}</td>" in ours[0] and "<td >n/a</td>" in ours[1] and "<td >True</td>" in ours[0]
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in ours[0]


def test_a_choice_label_is_what_get_display_returns():
    field = Learner._meta.get_field("status")

    with translation.override("de"):
        for value, _label in field.flatchoices:
            learner = Learner(status=value)
            assert choice_label(field, value) == learner.get_status_display()
            assert label_of(learner, "status") == learner.get_status_display()
    assert choice_label(field, "not-a-status") == "not-a-status"
    assert choice_label(field, None) is None


class RenderedTable(Table):
    """Render methods taking each argument django-tables2 offers, one it does not, a link and static row
    attributes (the even / odd classes then built once per table)."""

    email = tables.Column(linkify=lambda record: f"/l/{record.pk}/")
    status = tables.Column()
    department = tables.Column()
    bounce_count = tables.Column()
    soft_bounce_count = tables.Column()
    last_bounced_at = tables.Column()

    class Meta:
        model = Learner
        fields = ("email", "status", "department", "bounce_count", "soft_bounce_count", "last_bounced_at")
        row_attrs = {"data-kind": "learner"}

    def render_status(self, value, record, column, bound_column, bound_row, table):
        return f"{value}|{record.pk}|{column is bound_column.column}|{bound_row.record is record}|{table is self}"

    def render_department(self, value, **kwargs):
        return f"<{value}>:{sorted(kwargs)}"  # a plain string: escaped

    def render_bounce_count(self, value, unknown_argument):
        return "never called"

    def render_last_bounced_at(self, value):
        return value.year


def test_rendered_cells_and_row_attributes_are_django_tables2s(org):
    LearnerFactory(organization=org, status="bounced", department="R&D", last_bounced_at=timezone.now())
    LearnerFactory(organization=org, department="", soft_bounce_count=3)
    LearnerFactory(organization=org, department="Ops")
    learners = Learner.objects.filter(organization=org).order_by("pk")
    table, stock_table = RenderedTable(learners), RenderedTable(learners)  # each counts its rows (even / odd)

    ours = [str(row.html()) for row in table.rows]
    stock = [STOCK_ROW.render(Context({"row": BoundRow(record, table=stock_table)})) for record in stock_table.data]

    assert ours == stock and len(ours) == 3
    assert '<tr data-kind="learner" class="even">' in ours[0] and '<tr data-kind="learner" class="odd">' in ours[1]
    assert "Bounced|" in ours[0] and "|True|True|True" in ours[0]  # the choice label as the value
    assert "&lt;R&amp;D&gt;:[&#x27;bound_column&#x27;," in ours[0]
    assert '<a href="/l/' in ours[0]
    assert "never called" not in "".join(ours)  # django-tables2 does not call it: the cell shows None


class DictTable(Table):
    name = tables.Column()
    count = tables.Column(localize=True)
    missing = tables.Column(default="n/a")
    nested = tables.Column(accessor="inner__x")

    def render_name(self, value, record):
        return f"{value} ({record['count']})"


def test_dict_rows_render_as_django_tables2_renders_them():
    records = [{"name": "<a>", "count": 12345, "inner": {"x": 1}}, {"name": "", "count": 0, "inner": {"x": None}}]
    table, stock_table = DictTable(records), DictTable(records)

    with translation.override("de"):
        ours = [str(row.html()) for row in table.rows]
        stock = [STOCK_ROW.render(Context({"row": BoundRow(record, table=stock_table)})) for record in records]

    assert ours == stock
    assert "&lt;a&gt; (12345)" in ours[0] and "<td >n/a</td>" in ours[0] and "<td >1</td>" in ours[0]
