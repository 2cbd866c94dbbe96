"""Counter shards no two concurrent writers share (issue #16, scale-out of ingestion).

The counter triggers (learners here, sends and bounce events in campaigns 0022 / 0026) added their net
change to the shard ``pg_backend_pid() % 8`` of the key: two connections whose process ids agree modulo
8 (one pair in eight; with four workers, more often than not one pair) wrote the same rows, so each of
their transactions waited at its first counter upsert for the other's COMMIT, for as long as both
processes lived — two mailbox pollers of one organization took turns instead of running side by side.

``bp_free_counter_shard()`` starts at that shard and takes the first one whose transaction-level
advisory lock it gets without waiting (a lock it holds already counts): a transaction writes counter
rows only in shards it holds, so concurrent writers never share one while fewer than eight write at
once (the ninth falls back to its own shard and may wait, as before). Readers sum the shards as they
did; the locks go with the COMMIT or ROLLBACK.
"""

from importlib import import_module

from django.db import migrations

_0023 = import_module("contacts.migrations.0023_learner_counter_triggers")
_0025 = import_module("contacts.migrations.0025_learner_update_counter_skips_unchanged")

SHARDS = 8
LOCK_CLASS = 1_651_000_016  # the first key of the shards' advisory locks (the second is the shard)
OWN_SHARD = f"(pg_backend_pid() % {SHARDS})::smallint"

FREE_SHARD = f"""
CREATE OR REPLACE FUNCTION bp_free_counter_shard() RETURNS smallint LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  own smallint := {OWN_SHARD};
  shard smallint;
BEGIN
  FOR step IN 0..{SHARDS - 1} LOOP
    shard := (own + step) % {SHARDS};
    IF pg_try_advisory_xact_lock({LOCK_CLASS}, shard) THEN
      RETURN shard;
    END IF;
  END LOOP;
  RETURN own;
END $fn$
"""


def _learner_counters(shard: str) -> list[str]:
    """The learners' counter trigger functions (0023's INSERT and DELETE, 0025's gated UPDATE) writing to ``shard``."""
    functions = [_0025._counter(gated=True)]
    for op in ("INSERT", "DELETE"):
        functions.append(
            f"CREATE OR REPLACE FUNCTION {_0023._name(op)}() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
            f"BEGIN\n{_0023.DELTA.format(source=_0023.SOURCES[op])};\nRETURN NULL;\nEND $fn$"
        )
    return [function.replace(OWN_SHARD, shard) for function in functions]


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0026_learner_near_threshold_category_index"),
    ]

    operations = [
        migrations.RunPython(
            _0023._on_postgresql(FREE_SHARD, *_learner_counters("bp_free_counter_shard()")),
            _0023._on_postgresql(*_learner_counters(OWN_SHARD), "DROP FUNCTION IF EXISTS bp_free_counter_shard()"),
        ),
    ]
