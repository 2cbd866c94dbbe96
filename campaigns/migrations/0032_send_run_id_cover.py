"""A covering (run, id) index on sends for the run details filtered by a rare category (issue #16).

``?category=unsubscribe`` finds the run's sends from its events (event_run_category, 0029), then looked
up each of them by primary key and read its row to filter and sort by address: at 1,000,000 sends a run,
some 900 rows from all over the table for a page of 50 (3,600 buffers; cold, 1,664 of them read). With
the organization and address in the index, the page's ids are found and sorted from the index alone and
only the page's rows are read (campaigns.tables.SendTable, ``keyset_ids_first``). Built concurrently
(a large table: tests/test_migrations.py). Dropped again by 0034: it slowed every send write.
"""

from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("campaigns", "0031_counter_shard_free_of_other_writers"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="send",
            index=models.Index(fields=["run", "id"], include=("organization", "email"), name="send_run_id_cover"),
        ),
    ]
