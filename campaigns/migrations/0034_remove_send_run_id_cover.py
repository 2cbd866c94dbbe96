"""Drop send_run_id_cover (0032) again: its cost on every send write outweighs the one page it helps.

The covering (run, id) index made the run details' rare-category page read its sends' ids and addresses
from the index (cold page, bench/pages.py's data: medians 336/208 ms -> 166/121 ms, load ~5), but sends are
updated on every status write-back and none of those updates is HOT (send_run_status holds the status),
so each one wrote a 73-byte entry into it too; bench/send.py's scheduling of a 100,000-learner run took
5.0 / 7.3 / 8.3 s with it and 3.1 / 3.5 / 5.9 s without, alternating (load 3-7), against a target of 5 s.
Dropped concurrently, as it was built (a large table: tests/test_migrations.py).
"""

from django.db import migrations

from bounceportal.migration_ops import RemoveIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("campaigns", "0033_sends_update_trigger_merged"),
    ]

    operations = [
        RemoveIndexConcurrentlyOnPostgres(model_name="send", name="send_run_id_cover"),
    ]
