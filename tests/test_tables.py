"""The portal's base table renders exactly what django-tables2 renders, only with signatures cached."""

from django.utils import timezone
from django_tables2.rows import BoundRow

from bounceportal.export import table_rows
from bounceportal.tables import Row, call_with_appropriate
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
