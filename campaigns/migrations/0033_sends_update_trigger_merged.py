"""The sends' two UPDATE counter triggers become one: one window over the changed rows, one upsert.

0025's ``bp_count_sends_update`` (status, opened, clicked per run) and 0026's
``bp_engagement_sends_update`` (``opened_after_bounce`` per run) each ran on every UPDATE of sends:
two trigger calls, two windows over the same transition tables and two upserts into
``campaigns_runcounter``. Every bounce moves its send, so on bench/policy.py's one-event
transactions the pair cost more of the server's time than the send's UPDATE itself.

Now one trigger, ``bp_sends_update``, builds the old and new rows once, finds with one window by id
the rows whose counted columns (either trigger's) changed, and adds both deltas in one upsert in
(run, key) order. What is counted is unchanged: the keys of the first (``status:*``, ``opened``,
``clicked``) where status, opened, clicked or run changed, ``opened_after_bounce`` where status, run
or whether ``bounced_at`` is set changed (the flag itself as 0026 reads it).
"""

from importlib import import_module

from django.db import migrations

_0022 = import_module("campaigns.migrations.0022_summary_counter_triggers")
_0025 = import_module("campaigns.migrations.0025_counter_update_triggers_scoped")
_0026 = import_module("campaigns.migrations.0026_engagement_summary_counters")

_COLUMNS = "run_id, status, opened_at IS NOT NULL AS opened, clicked_at IS NOT NULL AS clicked, bounced_at"
_COUNTED = (
    "min(status) OVER w <> max(status) OVER w OR bool_or(opened) OVER w <> bool_and(opened) OVER w"
    " OR bool_or(clicked) OVER w <> bool_and(clicked) OVER w OR min(run_id) OVER w <> max(run_id) OVER w"
)
_FLAGGED = (
    "min(status) OVER w <> max(status) OVER w OR min(run_id) OVER w <> max(run_id) OVER w"
    " OR bool_or(bounced_at IS NULL) OVER w <> bool_and(bounced_at IS NULL) OVER w"
)

DELTA = f"""
WITH d AS (
  SELECT b.*, ({_COUNTED}) AS counted, ({_FLAGGED}) AS flagged FROM (
    SELECT -1::int AS sign, id, {_COLUMNS} FROM old_rows UNION ALL SELECT 1::int, id, {_COLUMNS} FROM new_rows
  ) b WINDOW w AS (PARTITION BY id)
),
keyed AS (
  SELECT d.run_id, k.key, d.sign FROM d
  CROSS JOIN LATERAL (VALUES ('status:' || d.status), (CASE WHEN d.opened THEN 'opened' END),
                             (CASE WHEN d.clicked THEN 'clicked' END)) k(key)
  WHERE d.counted AND k.key IS NOT NULL
  UNION ALL
  SELECT d.run_id, 'opened_after_bounce', d.sign FROM d
  WHERE d.flagged AND d.status IN ('bounced', 'opened') AND {_0026._flag("d")}
)
INSERT INTO campaigns_runcounter (run_id, key, shard, count)
SELECT k.run_id, k.key, bp_counter_shard(), SUM(k.sign) FROM keyed k JOIN campaigns_campaignrun r ON r.id = k.run_id
GROUP BY k.run_id, k.key HAVING SUM(k.sign) <> 0 ORDER BY 1, 2
{_0022._UPSERT_RUN}
"""

_OLD = ("bp_count_sends_update", "bp_engagement_sends_update")

FORWARD = (
    "".join(f"DROP TRIGGER IF EXISTS {name} ON campaigns_send; DROP FUNCTION IF EXISTS {name}();" for name in _OLD)
    + _0025._update_trigger("bp_sends_update", "campaigns_send", DELTA)
)

BACKWARD = (
    "DROP TRIGGER IF EXISTS bp_sends_update ON campaigns_send; DROP FUNCTION IF EXISTS bp_sends_update();"
    + _0025._update_trigger(
        "bp_count_sends_update", "campaigns_send", _0022.SEND_DELTA.format(source=_0025.SEND_UPDATE_SOURCE)
    )
    + _0025._update_trigger("bp_engagement_sends_update", "campaigns_send", _0026._add_flag(_0026.SEND_SOURCES["UPDATE"]))
)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0032_send_run_id_cover"),
    ]

    operations = [
        migrations.RunPython(_0022._on_postgresql(FORWARD), _0022._on_postgresql(BACKWARD)),
    ]
