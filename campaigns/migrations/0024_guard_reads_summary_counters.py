"""The run guard reads the summary counters (campaigns/services/guard.py): its own shard-0 rows go."""

from django.db import migrations

DROP_GUARD_ROWS = (
    "DELETE FROM campaigns_runcounter WHERE shard = 0 AND (key IN ('attempted', 'hard', 'complaint') "
    "OR key LIKE 'block:%')"
)


def drop_guard_rows(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP_GUARD_ROWS)


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0023_inbound_review"),
    ]

    operations = [
        migrations.RunPython(drop_guard_rows, migrations.RunPython.noop),
    ]
