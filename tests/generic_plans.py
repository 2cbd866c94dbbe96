"""The plan PostgreSQL keeps for a prepared statement of the code, as the connections run it."""

from django.db import connection

from bounceportal import held_writes
from bounceportal.prepared import Prepared


def prepared_write(starting: str = "", containing: str = "") -> Prepared:
    """The statement ``held_writes.write()`` prepared (this process, so far) whose SQL starts with ``starting``
    and contains ``containing``."""
    return next(
        prepared
        for (sql, _types), prepared in held_writes._PREPARED.items()
        if sql.startswith(starting) and containing in sql
    )


def generic_plan(prepared: Prepared, arguments: dict[str, str]) -> str:
    """EXPLAIN of the statement's generic plan (``plan_cache_mode = force_generic_plan``, as the connections
    run: bounceportal/env.py), run with ``arguments`` (an SQL literal per parameter type)."""
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE plan_probe({', '.join(prepared.types)}) AS {prepared.text}")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"EXPLAIN EXECUTE plan_probe({', '.join(arguments[t] for t in prepared.types)})")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE plan_probe")
    return plan
