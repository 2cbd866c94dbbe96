"""Writes held back and sent together: one round trip for a transaction's write-back, with its COMMIT.

A one-event transaction of the policy (a webhook, an SMTP reply) is a handful of statements, and on
this kind of machine each round trip to PostgreSQL costs more than the statement it carries. Inside
``atomic_with_held_writes()`` a statement sent with ``write()`` (an UPDATE or INSERT whose result
nobody reads) is held; the held statements go to the server together, in the order they were
written, as one execute of the statements joined by ``;`` (the simple query protocol runs them in
order and stops at the first error):

- before any other statement runs on the connection, so a read, a savepoint or a lock always sees
  every write made before it;
- when the block ends, followed by its ``COMMIT`` when the block opened the transaction: the
  transaction's last writes and its commit are one round trip. The driver then finds the
  transaction closed and Django's commit sends nothing more; ``on_commit`` callbacks run as usual.

A block that opens the transaction also holds its ``BEGIN``: the driver is left in autocommit (it
would send the ``BEGIN`` alone, one round trip more) and the block's first statement, held or not,
goes to the server as ``BEGIN;`` and itself in one execute (the cursor then shows that statement's
result, rows and row count); an executemany or a server-side cursor's first statement is preceded
by the ``BEGIN`` alone. Whenever the server is outside a transaction inside the block (nothing sent
yet, or a first statement that failed to parse, which runs nothing), the next statement starts one;
a block that sent nothing sends no ``COMMIT`` either. (A server-side cursor opened in such a block is
``WITH HOLD``, as Django opens them on a connection in autocommit: the same rows, kept past the COMMIT.)
So statements in a block go through Django's cursors: one sent on the driver's own connection before
them would run in autocommit, outside the block's transaction.

An error in a held statement is raised where the held statements are sent (a later statement or the
end of the block), still inside the block, so the transaction rolls back as it would have. A block
inside another shares the outer one's held writes. Outside a block, elsewhere than on PostgreSQL, or
with server-side binding (no multi-statement executes), ``write()`` runs the statement at once.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.pq import TransactionStatus

from bounceportal.prepared import Prepared, can_prepare, server_text

_ATTRIBUTE = "_bounceportal_held_writes"


class _Held:
    """The statements held on one connection, and the execute wrapper that sends them first."""

    def __init__(self, connection: BaseDatabaseWrapper, *, begins: bool = False):
        self.connection = connection
        self.statements: list[tuple[str, list, Prepared | None]] = []
        self.sending = False
        self.begins = begins  # this block's BEGIN rides with its first statement (see the module)

    def __call__(self, execute, sql, params, many, context):
        if self.sending:
            return execute(sql, params, many, context)
        if self.statements:
            self.send()
        if not self._begin_pending():
            return execute(sql, params, many, context)
        if many or hasattr(context["cursor"].cursor, "name"):  # an executemany or a DECLARE cannot carry it
            self.connection.connection.execute("BEGIN")
            return execute(sql, params, many, context)
        result = execute(f"BEGIN;\n{sql}", params, many, context)
        context["cursor"].nextset()  # past BEGIN's result to the statement's own
        return result

    def _begin_pending(self) -> bool:
        return self.begins and self.connection.connection.pgconn.transaction_status == TransactionStatus.IDLE

    def send(self, *, commit: bool = False) -> None:
        statements, self.statements = self.statements, []
        if commit and (statements or not self._begin_pending()):
            statements.append(("COMMIT", [], None))
        if not statements:
            return
        if self._begin_pending():
            statements.insert(0, ("BEGIN", [], None))
        texts, params, done = [], [], []
        for text, values, prepared in statements:
            if prepared is not None:
                text, _prepares, ran = prepared.run_text(self.connection)
                done.append(ran)
            texts.append(text)
            params.extend(values)
        self.sending = True
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(";\n".join(texts), params)
        finally:
            self.sending = False
        for ran in done:
            ran()


def _held(connection: BaseDatabaseWrapper) -> _Held | None:
    return getattr(connection, _ATTRIBUTE, None)


def holds_writes(connection: BaseDatabaseWrapper) -> bool:
    """Whether the connection is inside ``atomic_with_held_writes`` (its statements must go through
    Django's client-binding cursors, which can carry the held ``BEGIN``)."""
    return _held(connection) is not None


def _can_hold(connection: BaseDatabaseWrapper) -> bool:
    return (
        connection.vendor == "postgresql" and connection.settings_dict["OPTIONS"].get("server_side_binding") is not True
    )


def _plain_begin(connection: BaseDatabaseWrapper) -> bool:
    """Whether the driver would start a transaction with a bare ``BEGIN`` (no isolation level, read-only
    or deferrable setting of its own), which the block can then send itself."""
    driver = connection.connection
    return driver.isolation_level is None and driver.read_only is None and driver.deferrable is None


def write(sql: str, params: Sequence = (), *, types: Sequence[str] = (), using: str = DEFAULT_DB_ALIAS) -> None:
    """Run one statement whose result is not read (no RETURNING, no row count): held inside
    ``atomic_with_held_writes`` on this connection, at once elsewhere. ``params`` fill its ``%s``.

    With ``types`` (one PostgreSQL type per parameter) the statement is also prepared on each session
    and run by name (``bounceportal.prepared``): the server plans it once."""
    connection = connections[using]
    prepared = _prepared(connection, sql, params, types)
    held = _held(connection)
    if held is not None:
        held.statements.append((sql if params else sql.replace("%", "%%"), list(params), prepared))
        return
    with connection.cursor() as cursor:
        if prepared is not None:
            prepared.execute(cursor, params)
        else:
            cursor.execute(sql, list(params) if params else None)


def _prepared(connection: BaseDatabaseWrapper, sql: str, params: Sequence, types: Sequence[str]) -> Prepared | None:
    if not types or not can_prepare(connection):
        return None
    if len(types) != len(params):
        raise ValueError(f"write(): {len(params)} parameters but {len(types)} types")
    key = (sql, tuple(types))
    prepared = _PREPARED.get(key)
    if prepared is None:
        if len(_PREPARED) >= _MOST_PREPARED:  # texts are the code's, so few; a runaway one is not kept forever
            _PREPARED.clear()
        text = server_text(connection, sql, params, {k: k + 1 for k in range(len(params))})
        prepared = _PREPARED[key] = Prepared(text, types)
    return prepared


_PREPARED: dict[tuple[str, tuple[str, ...]], Prepared] = {}
_MOST_PREPARED = 500


@contextmanager
def atomic_with_held_writes(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """``transaction.atomic()`` in which ``write()`` statements are held and sent together (see the module)."""
    connection = connections[using]
    if _held(connection) is not None or not _can_hold(connection):
        with transaction.atomic(using=using):
            yield
        return
    opens_transaction = not connection.in_atomic_block and connection.get_autocommit()
    with transaction.atomic(using=using):
        held = _Held(connection, begins=opens_transaction and _plain_begin(connection))
        if held.begins:
            connection.connection.autocommit = True  # no round trip: the BEGIN waits for the first statement
        setattr(connection, _ATTRIBUTE, held)
        # The outermost wrapper: the held writes are sent before any other wrapper sees the next
        # statement, so what wrappers log is in the order the server ran it.
        connection.execute_wrappers.insert(0, held)
        try:
            yield
            connection.execute_wrappers.remove(held)
            # The COMMIT rides along only when this block opened the transaction and nothing inside asked
            # for a rollback; otherwise Django ends the transaction (or the savepoint) as usual.
            held.send(commit=opens_transaction and not connection.needs_rollback)
        finally:
            if held in connection.execute_wrappers:
                connection.execute_wrappers.remove(held)
            delattr(connection, _ATTRIBUTE)
