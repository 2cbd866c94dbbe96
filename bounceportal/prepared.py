"""Statements prepared once per database session and then run by name: PostgreSQL plans them once.

The policy's learner lock (three joins and three EXISTS) took the server ~0.6 ms to plan and
~0.15 ms to run; on a one-event transaction that planning, repeated for every event, was a
sixth of the time. ``Prepared(text, types)`` sends ``PREPARE name(types) AS text`` with its first
``EXECUTE`` on a session (one execute, so one statement as a query log counts them) and only the
``EXECUTE`` afterwards. The connections run with ``plan_cache_mode=force_generic_plan``
(bounceportal/env.py): a prepared statement keeps one plan whatever its arguments, where the
planner's default re-plans statements whose cost it cannot tell without them (an id array).

Which sessions have which statements is kept by the driver's connection object, so a reconnect
prepares again. A ``PREPARE`` that failed with its ``EXECUTE`` (a lock timeout, an aborted
transaction) leaves the session's state unknown: the next call prepares the text under a new name.
Only with client-side binding and the driver's own preparing off (Django's defaults); elsewhere, and
on other databases, the text is not prepared: callers check ``can_prepare``.
"""

import hashlib
import itertools
import re
import weakref
from collections.abc import Callable, Sequence

from django.db.backends.base.base import BaseDatabaseWrapper

_PLACEHOLDER = re.compile(r"%%|%s")
# driver connection -> {statement key: name it is prepared under on that session}
_SESSIONS: "weakref.WeakKeyDictionary[object, dict[str, str]]" = weakref.WeakKeyDictionary()
_ATTEMPTS = itertools.count(1)


def can_prepare(connection: BaseDatabaseWrapper) -> bool:
    """Whether ``Prepared`` statements can run on this connection (PostgreSQL, client-side binding, the
    driver preparing nothing of its own: its rollbacks would then ``DEALLOCATE ALL``)."""
    options = connection.settings_dict["OPTIONS"]
    return (
        connection.vendor == "postgresql"
        and options.get("server_side_binding") is not True
        and options.get("prepare_threshold") is None
    )


def server_text(connection: BaseDatabaseWrapper, sql: str, params: Sequence, variables: dict[int, int]) -> str:
    """Django's ``sql`` as PostgreSQL text: parameter ``k`` becomes ``$variables[k]`` when listed, else its
    literal (as the client-side binding would send it); ``%%`` becomes ``%``."""
    found = iter(range(len(params)))

    def fill(match: re.Match) -> str:
        if match.group() == "%%":
            return "%"
        k = next(found)
        if k in variables:
            return f"${variables[k]}"
        return connection.ops.compose_sql("%s", [params[k]])  # type: ignore[attr-defined]  # PostgreSQL's ops

    return _PLACEHOLDER.sub(fill, sql)


class Prepared:
    """One statement's text (PostgreSQL's, with ``$1``… for its ``types``), run prepared on each session."""

    def __init__(self, text: str, types: Sequence[str]):
        self.text = text
        self.types = list(types)
        self.key = hashlib.sha1(f"{self.types}\n{text}".encode()).hexdigest()[:20]

    def execute(self, cursor, params: Sequence) -> None:
        """Run it with ``params`` on the cursor's session (preparing it there first if needed); the
        cursor then holds the statement's result."""
        sql, prepares, ran = self.run_text(cursor.db)
        cursor.execute(sql, list(params))
        ran()
        if prepares:
            cursor.nextset()  # past the PREPARE's (empty) result to the EXECUTE's

    def run_text(self, connection: BaseDatabaseWrapper) -> tuple[str, bool, Callable[[], None]]:
        """The SQL (``%s`` for each parameter, ``%%`` for a percent sign) that runs it on the connection's
        session, whether that text prepares it first, and what to call once the text ran without error."""
        names = _SESSIONS.setdefault(connection.connection, {})
        arguments = f"({', '.join(['%s'] * len(self.types))})" if self.types else ""
        name = names.get(self.key)
        if name is not None:
            return f"EXECUTE {name}{arguments}", False, _nothing
        name = f"bp_{self.key}_{next(_ATTEMPTS)}"
        types = f"({', '.join(self.types)})" if self.types else ""
        prepare = f"PREPARE {name}{types} AS {self.text}".replace("%", "%%")

        def ran() -> None:  # only once it ran: after an error the next call prepares anew, under a new name
            names[self.key] = name

        return f"{prepare};\nEXECUTE {name}{arguments}", True, ran


def _nothing() -> None:
    pass
