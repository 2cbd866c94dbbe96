"""bounceportal.held_writes: a transaction's writes held and sent together, with its COMMIT, and never out of order."""

import pytest
from django.db import IntegrityError, connection, transaction

from bounceportal.db import sql_names, update_fields_many
from bounceportal.held_writes import atomic_with_held_writes, write
from contacts.models import Learner
from tests.factories import LearnerFactory

pytestmark = pytest.mark.postgres  # elsewhere write() runs each statement at once (nothing is held)


class Statements:
    """The SQL texts sent through the connection (an execute wrapper, as the benchmarks count them)."""

    def __init__(self):
        self.sent: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sent.append(sql)
        return execute(sql, params, many, context)


def _set_first_name(learner, name: str) -> None:
    names = sql_names(Learner, connection)
    write(f"UPDATE {names.table} SET {names.first_name} = %s WHERE {names.id} = %s", [name, learner.pk])


@pytest.mark.django_db(transaction=True)
def test_the_writes_and_the_commit_of_a_block_travel_in_one_statement(org):
    first, second = LearnerFactory.create_batch(2, organization=org, first_name="Ada")
    statements = Statements()

    with connection.execute_wrapper(statements), atomic_with_held_writes():
        _set_first_name(first, "Grace")
        second.bounce_count = 3
        update_fields_many([second], ["bounce_count"])
        assert statements.sent == []

    assert len(statements.sent) == 1
    assert statements.sent[0].startswith("BEGIN;") and statements.sent[0].endswith("COMMIT")
    assert not connection.in_atomic_block and connection.get_autocommit()
    assert Learner.objects.get(pk=first.pk).first_name == "Grace"
    assert Learner.objects.get(pk=second.pk).bounce_count == 3


@pytest.mark.django_db(transaction=True)
def test_the_begin_travels_with_the_blocks_first_statement_and_the_cursor_shows_that_statements_result(org):
    learner = LearnerFactory(organization=org, first_name="Ada")
    statements = Statements()

    with connection.execute_wrapper(statements), atomic_with_held_writes():
        updated = Learner.objects.filter(pk=learner.pk).update(last_name="Lovelace")
        read = list(Learner.objects.filter(pk=learner.pk).values_list("last_name", flat=True))
        _set_first_name(learner, "Grace")

    assert updated == 1 and read == ["Lovelace"]
    assert [sql.split()[0] for sql in statements.sent] == ["BEGIN;", "SELECT", "UPDATE"]
    assert statements.sent[0].startswith("BEGIN;\nUPDATE") and statements.sent[-1].endswith("COMMIT")
    assert Learner.objects.get(pk=learner.pk).first_name == "Grace"


@pytest.mark.django_db(transaction=True)
def test_an_exception_after_the_blocks_first_statement_rolls_that_statement_back(org):
    learner = LearnerFactory(organization=org, first_name="Ada")

    with pytest.raises(ZeroDivisionError), atomic_with_held_writes():
        Learner.objects.filter(pk=learner.pk).update(first_name="Grace")  # sent at once, with the BEGIN
        _ = 1 / 0

    assert Learner.objects.get(pk=learner.pk).first_name == "Ada"
    assert connection.get_autocommit() and connection.connection.autocommit


@pytest.mark.django_db(transaction=True)
def test_a_server_side_cursor_as_the_blocks_first_statement_reads_inside_the_blocks_transaction(org):
    learners = LearnerFactory.create_batch(3, organization=org, first_name="Ada")

    with pytest.raises(ZeroDivisionError), atomic_with_held_writes():
        read = list(Learner.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True).iterator())
        Learner.objects.filter(pk=learners[0].pk).update(first_name="Grace")
        _ = 1 / 0

    assert read == [learner.pk for learner in learners]
    assert Learner.objects.get(pk=learners[0].pk).first_name == "Ada"


@pytest.mark.django_db(transaction=True)
def test_a_block_that_sends_nothing_sends_no_begin_and_no_commit(org):
    statements = Statements()

    with connection.execute_wrapper(statements), atomic_with_held_writes():
        pass

    assert statements.sent == []
    assert not connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
def test_on_commit_callbacks_run_after_the_commit_sent_with_the_writes(org):
    learner = LearnerFactory(organization=org, first_name="Ada")
    seen = []

    with atomic_with_held_writes():
        _set_first_name(learner, "Grace")
        transaction.on_commit(lambda: seen.append(Learner.objects.get(pk=learner.pk).first_name))

    assert seen == ["Grace"]


def test_a_statement_that_reads_sees_every_write_held_before_it(org):
    learner = LearnerFactory(organization=org, first_name="Ada")
    statements = Statements()

    with connection.execute_wrapper(statements), atomic_with_held_writes():
        _set_first_name(learner, "Grace")
        read = Learner.objects.get(pk=learner.pk).first_name
        _set_first_name(learner, "Hedy")

    assert read == "Grace"
    # (the test's own transaction makes the block a savepoint) the write goes before the SELECT, on its own
    assert [sql.split()[0] for sql in statements.sent] == ["SAVEPOINT", "UPDATE", "SELECT", "UPDATE", "RELEASE"]
    assert Learner.objects.get(pk=learner.pk).first_name == "Hedy"


def test_inside_a_callers_transaction_the_writes_are_sent_without_a_commit(org):
    learner = LearnerFactory(organization=org, first_name="Ada")
    statements = Statements()

    with transaction.atomic(), connection.execute_wrapper(statements):
        with atomic_with_held_writes():
            _set_first_name(learner, "Grace")
        assert connection.in_atomic_block

    assert [sql.split()[0] for sql in statements.sent] == ["SAVEPOINT", "UPDATE", "RELEASE"]
    assert "COMMIT" not in statements.sent[1]
    assert Learner.objects.get(pk=learner.pk).first_name == "Grace"


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_held_write_rolls_the_whole_block_back(org):
    learner, other = LearnerFactory.create_batch(2, organization=org, first_name="Ada")
    names = sql_names(Learner, connection)

    with pytest.raises(IntegrityError), atomic_with_held_writes():
        _set_first_name(learner, "Grace")
        write(f"UPDATE {names.table} SET {names.email} = %s WHERE {names.id} = %s", [other.email, learner.pk])

    assert Learner.objects.get(pk=learner.pk).first_name == "Ada"
    assert not connection.in_atomic_block
    assert Learner.objects.filter(organization=org).count() == 2  # the connection works on


@pytest.mark.django_db(transaction=True)
def test_an_exception_in_the_block_sends_none_of_its_held_writes(org):
    learner = LearnerFactory(organization=org, first_name="Ada")

    with pytest.raises(ZeroDivisionError), atomic_with_held_writes():
        _set_first_name(learner, "Grace")
        _ = 1 / 0

    assert Learner.objects.get(pk=learner.pk).first_name == "Ada"


def test_a_block_inside_a_block_keeps_the_writes_in_order_around_its_savepoint(org):
    learner = LearnerFactory(organization=org, first_name="Ada")
    statements = Statements()

    with connection.execute_wrapper(statements), atomic_with_held_writes():
        _set_first_name(learner, "Grace")
        with atomic_with_held_writes():
            _set_first_name(learner, "Hedy")

    assert [sql.split()[0] for sql in statements.sent] == [
        "SAVEPOINT",  # the test's own transaction makes the outer block a savepoint too
        "UPDATE",
        "SAVEPOINT",
        "UPDATE",
        "RELEASE",
        "RELEASE",
    ]
    assert Learner.objects.get(pk=learner.pk).first_name == "Hedy"


def test_a_held_statement_without_parameters_keeps_its_percent_signs(org):
    first, second = LearnerFactory.create_batch(2, organization=org, first_name="Ada")
    names = sql_names(Learner, connection)

    with atomic_with_held_writes():
        write(f"UPDATE {names.table} SET {names.first_name} = '100%' WHERE {names.id} = {int(first.pk)}")
        _set_first_name(second, "50%")

    assert Learner.objects.get(pk=first.pk).first_name == "100%"
    assert Learner.objects.get(pk=second.pk).first_name == "50%"


def test_outside_a_block_a_write_runs_at_once(org):
    learner = LearnerFactory(organization=org, first_name="Ada")

    _set_first_name(learner, "Grace%")

    assert Learner.objects.get(pk=learner.pk).first_name == "Grace%"


def test_a_write_with_types_is_prepared_on_its_first_sending_and_then_run_by_name(org):
    learner = LearnerFactory(organization=org, first_name="Ada")
    names = sql_names(Learner, connection)
    sql = f"UPDATE {names.table} SET {names.first_name} = %s WHERE {names.id} = %s AND 'only here' <> ''"
    statements = Statements()

    with connection.execute_wrapper(statements):
        for name in ("Grace", "Hedy"):
            with atomic_with_held_writes():
                write(sql, [name, learner.pk], types=["text", "bigint"])

    sent = [each for each in statements.sent if not each.startswith(("SAVEPOINT", "RELEASE"))]
    assert sent[0].startswith("PREPARE") and "EXECUTE" in sent[0]
    assert sent[1].startswith("EXECUTE") and "PREPARE" not in sent[1]
    assert Learner.objects.get(pk=learner.pk).first_name == "Hedy"


def test_a_write_with_types_outside_a_block_runs_prepared_at_once(org):
    learner = LearnerFactory(organization=org, first_name="Ada")
    names = sql_names(Learner, connection)

    write(  # a text of its own: another test prepares the one above on this session
        f"UPDATE {names.table} SET {names.last_name} = %s WHERE {names.id} = %s",
        ["Hopper", learner.pk],
        types=["text", "bigint"],
    )

    assert Learner.objects.get(pk=learner.pk).last_name == "Hopper"
