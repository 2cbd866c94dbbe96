"""The bounce events' append-only trigger compares each updated row's facts as a row, not as two jsonb.

0009's check (kept by 0027) turned the old and the new row into jsonb, took the three writable
columns out of both and compared what was left: for every event the policy applies, two documents
of some thirty columns (the diagnostic, the evidence) built and thrown away, about 40 µs a row, a
sixth of the PostgreSQL time of a batch of 100 events in bench/policy.py. Now the new row with its
three writable columns set back to the old values is compared with the old row (``IS NOT DISTINCT
FROM``, column by column with each type's equality, NULL equal to NULL): the same rows pass and the
same are refused, about 9 µs a row, and a column added later is still covered without touching the
trigger (the copy is of the whole row, whatever its columns).
"""

from importlib import import_module

from django.db import migrations

_0022 = import_module("campaigns.migrations.0022_summary_counter_triggers")
_0027 = import_module("campaigns.migrations.0027_event_update_triggers_skip_unchanged")

_JSONB_FACTS = (
    "facts_kept := (to_jsonb(NEW) - ARRAY['outcome', 'applied_at', 'superseded_at'])\n"
    "         = (to_jsonb(OLD) - ARRAY['outcome', 'applied_at', 'superseded_at']);"
)
_ROW_FACTS = """kept := NEW;
    kept.outcome := OLD.outcome;
    kept.applied_at := OLD.applied_at;
    kept.superseded_at := OLD.superseded_at;
    facts_kept := kept IS NOT DISTINCT FROM OLD;"""
assert _0027.GUARD.count(_JSONB_FACTS) == 1, "0027's guard is not the text this migration rewrites"
GUARD = _0027.GUARD.replace(_JSONB_FACTS, _ROW_FACTS).replace(
    "  facts_kept boolean;\n", "  facts_kept boolean;\n  kept record;\n", 1
)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0027_event_update_triggers_skip_unchanged"),
    ]

    operations = [
        migrations.RunPython(_0022._on_postgresql(GUARD), _0022._on_postgresql(_0027.GUARD)),
    ]
