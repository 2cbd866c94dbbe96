"""bounceportal.prepared: a statement prepared once per session, then run by name with a plan kept."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bounceportal.db import sql_names
from bounceportal.prepared import Prepared, server_text
from contacts.models import Learner
from tests.factories import LearnerFactory

pytestmark = pytest.mark.postgres  # PREPARE / EXECUTE are PostgreSQL's


def _emails_statement() -> Prepared:
    names = sql_names(Learner, connection)
    sql = (
        f"SELECT {names.email} FROM {names.table} WHERE {names.id} = ANY(%s) AND {names.first_name} LIKE %s ORDER BY 1"
    )
    return Prepared(server_text(connection, sql, [[], "A%%"], {0: 1}), ["bigint[]"])


def _run(statement: Prepared, ids) -> list[str]:
    with connection.cursor() as cursor:
        statement.execute(cursor, [list(ids)])
        return [row[0] for row in cursor.fetchall()]


def test_the_text_is_prepared_with_its_first_run_and_then_only_executed(org):
    first, second = LearnerFactory.create_batch(2, organization=org, first_name="Ada")
    statement = _emails_statement()

    with CaptureQueriesContext(connection) as queries:
        found_first = _run(statement, [first.pk])
        found_both = _run(statement, [first.pk, second.pk])

    assert found_first == [first.email]
    assert found_both == sorted([first.email, second.email])
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["PREPARE", "EXECUTE"]


def test_literal_parameters_are_part_of_the_prepared_text(org):
    ada = LearnerFactory(organization=org, first_name="Ada")
    bob = LearnerFactory(organization=org, first_name="Bob")

    assert _run(_emails_statement(), [ada.pk, bob.pk]) == [ada.email]  # first_name LIKE 'A%'


def test_after_a_failed_first_run_the_next_call_prepares_again_under_another_name(org):
    learner = LearnerFactory(organization=org, first_name="Ada")
    names = sql_names(Learner, connection)
    statement = Prepared(f"SELECT 1 / ($1 - {int(learner.pk)}) FROM {names.table} LIMIT 1", ["bigint"])

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        statement.execute(cursor, [learner.pk])  # the PREPARE runs, its EXECUTE divides by zero
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        statement.execute(cursor, [learner.pk + 1])
        value = cursor.fetchone()[0]

    assert value == 1
    assert queries.captured_queries[0]["sql"].startswith("PREPARE")


@pytest.mark.django_db(transaction=True)
def test_a_new_session_prepares_the_statement_again(org):
    learner = LearnerFactory(organization=org, first_name="Ada")
    statement = _emails_statement()
    _run(statement, [learner.pk])

    connection.close()
    with CaptureQueriesContext(connection) as queries:
        found = _run(statement, [learner.pk])

    assert found == [learner.email]
    assert queries.captured_queries[0]["sql"].startswith("PREPARE")


def test_the_connections_keep_one_plan_for_a_prepared_statement(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"
