"""Summary counters kept by the writes (issue #16): statement-level triggers on sends and bounce events.

Every INSERT, UPDATE or DELETE of sends or bounce events adds its net change to the counters in
the same statement, so in the same transaction as the transition: one INSERT … ON CONFLICT DO
UPDATE per statement (a worker's write-back batch, a policy batch, a re-classify batch), with the
statement's rows summed first. A counter is several rows, one per shard (``pg_backend_pid() % 8``):
parallel workers add to different rows and never wait for each other's commit on a hot row, and
readers sum the shards. Rows are upserted in key order, so two writers that do share a shard
cannot deadlock.

What is counted (campaigns/counters.py reads them and rebuilds them from the source rows):

- per run (``campaigns_runcounter``, beside the run guard's own keys in shard 0):
  ``status:<status>``, ``opened``, ``clicked`` of its sends; of its sends' current bounce events
  (not superseded) ``cat:<category>``, ``sub:<category>:<subtype>``, the mail blocks by product,
  blocklist, receiving domain and remote server (``block.<kind>:<name>``), the domains behind a
  product's or list's blocks (``block.<kind>@<name>@<domain>``) and the content refusals
  (``content:<reason>:<subtype>``, ``content.domain:<reason>:<domain>``);
- per organization and day of ``occurred_at`` (``campaigns_orgdaycounter``):
  ``ev:<campaign id or 0>:<category>:<subtype>`` of current events and ``blockrun:<run id>``.

The day is read in the organization's own time zone (``contacts_organization.time_zone``); when an
organization changes its zone, campaigns.counters recounts its days.

A send deleted in a transaction (a learner erased) first moves its events' counts to "no send"
(a row trigger, before the delete, while the send can still be read). Counters of a run or an
organization already deleted are not written; rows added while Django deletes its sends and
events are left over (the counters have no foreign key constraint) and rebuild_counters drops them. SQLite (the demo) has no triggers:
the readers count from the source rows there.
"""

from django.db import migrations

CONTENT_REASONS = "('mesgtoobig', 'virusdetected', 'spamdetected', 'contenterror')"

FUNCTIONS = """
CREATE OR REPLACE FUNCTION bp_counter_shard() RETURNS smallint LANGUAGE sql STABLE AS
$$ SELECT (pg_backend_pid() % 8)::smallint $$;

CREATE OR REPLACE FUNCTION bp_event_keys(
  category text, subtype text, reason text, product text, blocklist text, mta text,
  domain text, run_id bigint, campaign_id bigint
) RETURNS TABLE(scope text, key text) LANGUAGE sql IMMUTABLE AS $$
  SELECT 'o', 'ev:' || coalesce(campaign_id, 0) || ':' || category || ':' || subtype
  UNION ALL SELECT 'o', 'blockrun:' || run_id WHERE run_id IS NOT NULL AND category = 'block'
  UNION ALL SELECT 'r', 'cat:' || category WHERE run_id IS NOT NULL
  UNION ALL SELECT 'r', 'sub:' || category || ':' || subtype WHERE run_id IS NOT NULL
  UNION ALL SELECT 'r', 'block.product:' || product
    WHERE run_id IS NOT NULL AND category = 'block' AND product <> ''
  UNION ALL SELECT 'r', 'block.blocklist:' || blocklist
    WHERE run_id IS NOT NULL AND category = 'block' AND blocklist <> ''
  UNION ALL SELECT 'r', 'block.domain:' || domain
    WHERE run_id IS NOT NULL AND category = 'block' AND domain <> ''
  UNION ALL SELECT 'r', 'block.remote server:' || mta
    WHERE run_id IS NOT NULL AND category = 'block' AND mta <> ''
  UNION ALL SELECT 'r', 'block.product@' || product || '@' || domain
    WHERE run_id IS NOT NULL AND category = 'block' AND product <> '' AND domain <> ''
  UNION ALL SELECT 'r', 'block.blocklist@' || blocklist || '@' || domain
    WHERE run_id IS NOT NULL AND category = 'block' AND blocklist <> '' AND domain <> ''
  UNION ALL SELECT 'r', 'content:' || reason || ':' || subtype
    WHERE run_id IS NOT NULL AND reason IN {content}
  UNION ALL SELECT 'r', 'content.domain:' || reason || ':' || domain
    WHERE run_id IS NOT NULL AND reason IN {content} AND domain <> ''
$$;
""".replace("{content}", CONTENT_REASONS)


_UPSERT_RUN = (
    "ON CONFLICT (run_id, key, shard) DO UPDATE SET count = campaigns_runcounter.count + EXCLUDED.count"
)
_UPSERT_ORG = (
    "ON CONFLICT (organization_id, day, key, shard) DO UPDATE SET count = campaigns_orgdaycounter.count + EXCLUDED.count"
)

# {source}: rows (sign, organization_id, occurred_at, send_id, superseded_at, category, subtype, reason,
# filter_product, blocklist, remote_mta). A send no longer visible (deleted earlier in the transaction)
# counts as no send, as the delete's row trigger left it.
EVENT_DELTA = f"""
WITH changes AS ({{source}}),
keyed AS (
  SELECT c.sign, c.organization_id, (c.occurred_at AT TIME ZONE coalesce(z.time_zone, 'UTC'))::date AS day,
         r.id AS run_id, k.scope, k.key
  FROM changes c
  LEFT JOIN contacts_organization z ON z.id = c.organization_id
  LEFT JOIN campaigns_send s ON s.id = c.send_id
  LEFT JOIN campaigns_campaignrun r ON r.id = s.run_id
  CROSS JOIN LATERAL bp_event_keys(c.category, c.subtype, c.reason, c.filter_product, c.blocklist,
                                   c.remote_mta, s.domain, r.id, r.campaign_id) k
  WHERE c.superseded_at IS NULL
),
runs AS (
  INSERT INTO campaigns_runcounter (run_id, key, shard, count)
  SELECT run_id, key, bp_counter_shard(), SUM(sign) FROM keyed WHERE scope = 'r'
  GROUP BY run_id, key HAVING SUM(sign) <> 0 ORDER BY run_id, key
  {_UPSERT_RUN}
)
INSERT INTO campaigns_orgdaycounter (organization_id, day, key, shard, count)
SELECT k.organization_id, k.day, k.key, bp_counter_shard(), SUM(k.sign)
FROM keyed k JOIN contacts_organization o ON o.id = k.organization_id WHERE k.scope = 'o'
GROUP BY k.organization_id, k.day, k.key HAVING SUM(k.sign) <> 0 ORDER BY 1, 2, 3
{_UPSERT_ORG}
"""

_EVENT_COLUMNS = "organization_id, occurred_at, {send} AS send_id, superseded_at, category, subtype, reason, filter_product, blocklist, remote_mta"


def _events(sign: str, table: str, where: str = "", send: str = "send_id") -> str:
    return f"SELECT {sign}::int AS sign, {_EVENT_COLUMNS.format(send=send)} FROM {table} {where}"


_EVENT_CHANGED = (
    "WHERE id IN (SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id "
    "WHERE (o.superseded_at IS NULL) <> (n.superseded_at IS NULL) OR o.send_id IS DISTINCT FROM n.send_id)"
)

# {source}: rows (sign, run_id, status, opened, clicked).
SEND_DELTA = f"""
WITH changes AS ({{source}}),
keyed AS (
  SELECT c.run_id, k.key, c.sign FROM changes c
  CROSS JOIN LATERAL (VALUES ('status:' || c.status), (CASE WHEN c.opened THEN 'opened' END),
                             (CASE WHEN c.clicked THEN 'clicked' END)) k(key)
  WHERE k.key IS NOT NULL
)
INSERT INTO campaigns_runcounter (run_id, key, shard, count)
SELECT k.run_id, k.key, bp_counter_shard(), SUM(k.sign) FROM keyed k JOIN campaigns_campaignrun r ON r.id = k.run_id
GROUP BY k.run_id, k.key HAVING SUM(k.sign) <> 0 ORDER BY 1, 2
{_UPSERT_RUN}
"""

_SEND_COLUMNS = "run_id, status, opened_at IS NOT NULL AS opened, clicked_at IS NOT NULL AS clicked"


def _sends(sign: str, table: str, where: str = "") -> str:
    return f"SELECT {sign}::int AS sign, {_SEND_COLUMNS} FROM {table} {where}"


_SEND_CHANGED = (
    "WHERE id IN (SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.status <> n.status "
    "OR (o.opened_at IS NULL) <> (n.opened_at IS NULL) OR (o.clicked_at IS NULL) <> (n.clicked_at IS NULL) "
    "OR o.run_id <> n.run_id)"
)


def _statement_trigger(name: str, table: str, op: str, body: str) -> str:
    referencing = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows",
        "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "REFERENCING OLD TABLE AS old_rows",
    }[op]
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
{body};
RETURN NULL;
END $fn$;
CREATE TRIGGER {name} AFTER {op} ON {table} {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""


def _event_update_source() -> str:
    return (
        _events("-1", "old_rows", _EVENT_CHANGED) + " UNION ALL " + _events("1", "new_rows", _EVENT_CHANGED)
    )


def _send_update_source() -> str:
    return _sends("-1", "old_rows", _SEND_CHANGED) + " UNION ALL " + _sends("1", "new_rows", _SEND_CHANGED)


# Before a send is deleted its events' counts move to "no send" (after it, the send cannot be read).
_SEND_ROW_DELETE_SOURCE = (
    _events("-1", "campaigns_bounceevent", "WHERE send_id = OLD.id")
    + " UNION ALL "
    + _events("1", "campaigns_bounceevent", "WHERE send_id = OLD.id", send="NULL::bigint")
)

# (trigger and function name, table, operation, delta, its source rows)
_STATEMENT_TRIGGERS = [
    ("bp_count_events_insert", "campaigns_bounceevent", "INSERT", EVENT_DELTA, _events("1", "new_rows")),
    ("bp_count_events_update", "campaigns_bounceevent", "UPDATE", EVENT_DELTA, _event_update_source()),
    ("bp_count_events_delete", "campaigns_bounceevent", "DELETE", EVENT_DELTA, _events("-1", "old_rows")),
    ("bp_count_sends_insert", "campaigns_send", "INSERT", SEND_DELTA, _sends("1", "new_rows")),
    ("bp_count_sends_update", "campaigns_send", "UPDATE", SEND_DELTA, _send_update_source()),
    ("bp_count_sends_delete", "campaigns_send", "DELETE", SEND_DELTA, _sends("-1", "old_rows")),
]

TRIGGERS = "".join(
    [
        *(_statement_trigger(name, table, op, delta.format(source=source))
          for name, table, op, delta, source in _STATEMENT_TRIGGERS),
        f"""
CREATE OR REPLACE FUNCTION bp_count_send_row_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
IF EXISTS (SELECT 1 FROM campaigns_bounceevent WHERE send_id = OLD.id) THEN
{EVENT_DELTA.format(source=_SEND_ROW_DELETE_SOURCE)};
END IF;
RETURN OLD;
END $fn$;
CREATE TRIGGER bp_count_send_row_delete BEFORE DELETE ON campaigns_send FOR EACH ROW
  EXECUTE FUNCTION bp_count_send_row_delete();
""",
    ]
)

# What the triggers would have counted had they always been there.
FILL = (
    SEND_DELTA.format(source=_sends("1", "campaigns_send"))
    + ";\n"
    + EVENT_DELTA.format(source=_events("1", "campaigns_bounceevent"))
    + ";"
)

_NAMES = [(name, table) for name, table, *_rest in _STATEMENT_TRIGGERS] + [("bp_count_send_row_delete", "campaigns_send")]
REMOVE = "".join(
    f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();" for name, table in _NAMES
) + (
    "DROP FUNCTION IF EXISTS bp_event_keys(text, text, text, text, text, text, text, bigint, bigint);"
    "DROP FUNCTION IF EXISTS bp_counter_day(timestamptz); DROP FUNCTION IF EXISTS bp_counter_shard();"
)


def _on_postgresql(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql() if callable(sql) else sql)

    return run


# Going back leaves the guard's own keys (shard 0) and drops the summary rows before 0021 is undone.
_KEEP_GUARD_KEYS = (
    "DELETE FROM campaigns_runcounter WHERE NOT (shard = 0 AND (key IN ('attempted', 'hard', 'complaint') "
    "OR key LIKE 'block:%'))"
)


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0021_summary_counters"),
        ("contacts", "0005_organization_time_zone"),  # the days are read in the organization's zone
    ]

    operations = [
        migrations.RunPython(
            _on_postgresql(FUNCTIONS, TRIGGERS, FILL),
            _on_postgresql(_KEEP_GUARD_KEYS, REMOVE),
        ),
    ]
