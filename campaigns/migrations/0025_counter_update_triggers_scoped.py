"""The summary counters' UPDATE triggers find the changed rows in linear time, not cubic.

0022's UPDATE triggers (bounce events, sends) found the rows whose counted columns changed with
``id IN (SELECT … FROM old_rows JOIN new_rows …)``. The planner sees a transition table as one
row, so that became nested loops over both tables inside a semi join: cubic in the statement's
rows. The policy's outcome write-back of 100 bounce events (which changes nothing counted) spent
220 ms there, 90 % of bench/policy.py's batched time.

Now the changed rows come from one window over the old and new rows partitioned by id (a sort,
not a join); a statement that changes no counted column (an event's outcome, a send's
timestamps) adds nothing. ``UPDATE OF <columns>`` would skip the trigger altogether, but
PostgreSQL refuses a column list on a trigger with transition tables.

What is counted is unchanged (campaigns/counters.py, 0022's docstring): of an event, whether it
is current (``superseded_at``) and its send (the only columns that may change once it is stored,
migrations 0009/0019); of a send, its status, opened, clicked and run.
"""

from importlib import import_module

from django.db import migrations

_0022 = import_module("campaigns.migrations.0022_summary_counter_triggers")

_EVENT_COLUMNS = _0022._EVENT_COLUMNS.format(send="send_id")
_SEND_COLUMNS = "run_id, status, opened_at IS NOT NULL AS opened, clicked_at IS NOT NULL AS clicked"


def _changed_rows(columns: str, changed: str, out: str) -> str:
    """Old rows (sign -1) and new rows (+1) of the ids for which ``changed`` holds over their pair."""
    return f"""SELECT sign, {out} FROM (
  SELECT b.*, ({changed}) AS changed FROM (
    SELECT -1::int AS sign, id, {columns} FROM old_rows UNION ALL SELECT 1::int, id, {columns} FROM new_rows
  ) b WINDOW w AS (PARTITION BY id)
) d WHERE changed"""


_EVENT_OUT = "organization_id, occurred_at, send_id, superseded_at, category, subtype, reason, filter_product, blocklist, remote_mta"
EVENT_UPDATE_SOURCE = _changed_rows(
    _EVENT_COLUMNS,
    "bool_or(superseded_at IS NULL) OVER w <> bool_and(superseded_at IS NULL) OVER w"
    " OR count(send_id) OVER w = 1 OR min(send_id) OVER w <> max(send_id) OVER w",
    _EVENT_OUT,
)
SEND_UPDATE_SOURCE = _changed_rows(
    _SEND_COLUMNS,
    "min(status) OVER w <> max(status) OVER w OR bool_or(opened) OVER w <> bool_and(opened) OVER w"
    " OR bool_or(clicked) OVER w <> bool_and(clicked) OVER w OR min(run_id) OVER w <> max(run_id) OVER w",
    "run_id, status, opened, clicked",
)


def _update_trigger(name: str, table: str, delta: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
{delta};
RETURN NULL;
END $fn$;
CREATE TRIGGER {name} AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""


FORWARD = _update_trigger(
    "bp_count_events_update",
    "campaigns_bounceevent",
    _0022.EVENT_DELTA.format(source=EVENT_UPDATE_SOURCE),
) + _update_trigger("bp_count_sends_update", "campaigns_send", _0022.SEND_DELTA.format(source=SEND_UPDATE_SOURCE))

BACKWARD = _update_trigger(
    "bp_count_events_update",
    "campaigns_bounceevent",
    _0022.EVENT_DELTA.format(source=_0022._event_update_source()),
) + _update_trigger(
    "bp_count_sends_update", "campaigns_send", _0022.SEND_DELTA.format(source=_0022._send_update_source())
)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0024_guard_reads_summary_counters"),
    ]

    operations = [
        migrations.RunPython(_0022._on_postgresql(FORWARD), _0022._on_postgresql(BACKWARD)),
    ]
