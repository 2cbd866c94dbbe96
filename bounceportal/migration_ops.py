"""Migration operations for index changes on the large tables (the rule in contacts/migrations/0001),
and SQL that differs per database vendor (triggers).

``AddIndexConcurrently`` runs on PostgreSQL only; the demo's SQLite database
needs the plain ``AddIndex``. This operation is the concurrent one on
PostgreSQL and the plain one elsewhere (use it in a migration with ``atomic = False``).
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations
from django.db.migrations.operations import AddIndex, RemoveIndex


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrentlyOnPostgres(RemoveIndexConcurrently):
    """``RemoveIndexConcurrently`` on PostgreSQL, the plain ``RemoveIndex`` elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RunSQLByVendor(migrations.RunPython):
    """Run ``forwards[vendor]`` (and ``backwards[vendor]``) SQL statements; vendors not named do nothing."""

    def __init__(self, forwards: dict[str, list[str]], backwards: dict[str, list[str]]):
        def run(statements):
            def runner(apps, schema_editor):
                for sql in statements.get(schema_editor.connection.vendor, []):
                    schema_editor.execute(sql)

            return runner

        super().__init__(run(forwards), run(backwards))
