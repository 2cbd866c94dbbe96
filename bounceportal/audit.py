"""Audit rows (Clearance, BounceEvent) are append-only in the database; this is the one way around it.

Triggers installed by ``contacts/migrations/0007_clearance_append_only.py`` and
``campaigns/migrations/0009_bounceevent_append_only.py`` refuse every UPDATE and
DELETE of those rows on PostgreSQL, except the bookkeeping the app must do
(a bounce event's ``outcome`` / ``applied_at`` written once when the policy
applies it, and ``superseded_at`` written once when re-classify replaces it).
Nothing else — what was received, when, for whom, the classification at the
time, who cleared and why — can be rewritten, by the app or by anyone who can
run SQL as it.

The retention job (and offboarding an organization or erasing a learner, which
cascade to their audit rows) runs inside ``retention_path()``: it sets the
transaction-local ``bounceportal.retention = 'on'`` that the triggers accept. It
is transaction-local (``SET LOCAL``), so it ends with the transaction and never
leaks to the next request on a pooled connection. No other code sets it.

SQLite (the embedded demo) has no triggers: its test flush deletes rows with
``DELETE`` (PostgreSQL's uses ``TRUNCATE``, which row triggers do not see), and
the demo is not where an audit trail must hold. TRUNCATE is a table owner's
maintenance operation and is not guarded either; grant the app role no TRUNCATE.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

RETENTION_SETTING = "bounceportal.retention"


@contextmanager
def retention_path(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Open a transaction in which audit rows may be deleted or rewritten (the retention job's path only).

    Nested in an outer transaction (a savepoint), the setting is put back on the way out, so the
    rest of the outer transaction is guarded again (so do not nest two); on an error the savepoint's
    rollback undoes it.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [RETENTION_SETTING])
        yield
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, '', true)", [RETENTION_SETTING])
