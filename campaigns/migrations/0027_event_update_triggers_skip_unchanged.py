"""The bounce events' UPDATE counter triggers do nothing in a transaction that changed no counted column.

The policy writes every applied event's outcome (``outcome``, ``applied_at``); nothing that the
summary counters (0022/0025) or the engagement summary (0026) count changes there, yet both
statement triggers ran their window over the transition tables and their upsert for it: on
bench/policy.py's one-event transactions the two cost about as much as the UPDATE itself.
PostgreSQL refuses ``UPDATE OF <columns>`` on a trigger with transition tables, and a statement
trigger has no ``WHEN``.

So the append-only row trigger (0009), which compares each updated row's old and new values anyway,
now also marks the transaction (``SET LOCAL bounceportal.events_changed = 'on'``) when a row changes
anything but its outcome and applied time; the two statement triggers return at once until a
transaction is marked. Once marked they run as before (the window finds what changed, if
anything), so what is counted is unchanged; a savepoint rolled back takes its mark back with its
rows. Retention (``bounceportal.retention``) marks too: its cascades null ``send_id``.
"""

from importlib import import_module

from django.db import migrations

_0009 = import_module("campaigns.migrations.0009_bounceevent_append_only")
_0022 = import_module("campaigns.migrations.0022_summary_counter_triggers")
_0025 = import_module("campaigns.migrations.0025_counter_update_triggers_scoped")
_0026 = import_module("campaigns.migrations.0026_engagement_summary_counters")

MARK = "bounceportal.events_changed"

OLD_GUARD = _0009.INSTALL.split("CREATE TRIGGER")[0]
_FACTS = (
    "(to_jsonb(NEW) - ARRAY['outcome', 'applied_at', 'superseded_at'])\n"
    "         = (to_jsonb(OLD) - ARRAY['outcome', 'applied_at', 'superseded_at'])"
)
_MARKING = f"""DECLARE
  facts_kept boolean;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    facts_kept := {_FACTS};
    IF NOT facts_kept OR NEW.superseded_at IS DISTINCT FROM OLD.superseded_at THEN
      PERFORM set_config('{MARK}', 'on', true);
    END IF;
  END IF;
"""
# 0009's function, comparing the facts once (before the retention branch, which marks too).
GUARD = OLD_GUARD.replace(_FACTS, "facts_kept").replace("BEGIN\n", _MARKING, 1)
assert GUARD.count("facts_kept") == 4, "0009's guard is not the text this migration rewrites"

_BODIES = {
    "bp_count_events_update": _0022.EVENT_DELTA.format(source=_0025.EVENT_UPDATE_SOURCE),
    "bp_engagement_events_update": _0026.EVENT_DELTAS["UPDATE"],
}


def _function(name: str, body: str, *, gated: bool) -> str:
    gate = f"IF current_setting('{MARK}', true) IS DISTINCT FROM 'on' THEN RETURN NULL; END IF;\n" if gated else ""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
{gate}{body};
RETURN NULL;
END $fn$;
"""


FORWARD = GUARD + "".join(_function(name, body, gated=True) for name, body in _BODIES.items())
BACKWARD = OLD_GUARD + "".join(_function(name, body, gated=False) for name, body in _BODIES.items())


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0026_engagement_summary_counters"),
    ]

    operations = [
        migrations.RunPython(_0022._on_postgresql(FORWARD), _0022._on_postgresql(BACKWARD)),
    ]
