"""Learners counted by the day, category and domain of their last bounce, kept by the writes (issue #16).

Your Learner Reports grouped, on every request, the learners whose last bounce fell in its date range
(learner_org_bounced_cover: some 61,000 index entries for the default 30 days at 1,000,000 learners).
Statement triggers on the learners now keep ``contacts_learnerdaycounter`` instead: per organization and
day of ``last_bounced_at`` in the organization's time zone, of the learners whose last bounce is hard,
soft or block, ``cat:<category>:<subtype>``, ``domain:<domain>`` and ``hard:<domain>`` (a hard one). The
report sums a few thousand counter rows over its days. As the status counters (0023): one upsert per
statement in the same transaction, in a shard no other open transaction writes (``bp_free_counter_shard()``,
0027), rows in key order.

An UPDATE pairs each learner's old and new row with one window by id, on a text of the counted columns
(no join of the transition tables). The row trigger that keeps ``updated_at`` marks the transaction
(``bounceportal.learner_bounces_changed``) when a counted column may have changed (the last bounce, the
address, the organization); until then the UPDATE trigger returns at once, as the status counter's does.
The categories are written out here (contacts.learner_counters.BOUNCED_CATEGORIES says the same).
"""

from importlib import import_module

from django.db import migrations

_0023 = import_module("contacts.migrations.0023_learner_counter_triggers")
_0025 = import_module("contacts.migrations.0025_learner_update_counter_skips_unchanged")

MARK = "bounceportal.learner_bounces_changed"
COUNTED = "c.last_bounced_at IS NOT NULL AND c.last_bounce_category IN ('hard', 'soft', 'block')"
COLUMNS = "organization_id, last_bounced_at, last_bounce_category, last_bounce_subtype, email_domain"

DELTA = f"""
INSERT INTO contacts_learnerdaycounter (organization_id, day, key, shard, count)
SELECT c.organization_id, (c.last_bounced_at AT TIME ZONE coalesce(nullif(o.time_zone, ''), 'UTC'))::date,
       k.key, bp_free_counter_shard(), SUM(c.sign)
FROM ({{source}}) c JOIN contacts_organization o ON o.id = c.organization_id
CROSS JOIN LATERAL (VALUES ('cat:' || c.last_bounce_category || ':' || c.last_bounce_subtype),
                           ('domain:' || c.email_domain),
                           (CASE WHEN c.last_bounce_category = 'hard' THEN 'hard:' || c.email_domain END)) k(key)
WHERE k.key IS NOT NULL AND {COUNTED}
GROUP BY 1, 2, 3 HAVING SUM(c.sign) <> 0 ORDER BY 1, 2, 3
ON CONFLICT (organization_id, day, key, shard) DO UPDATE SET count = contacts_learnerdaycounter.count + EXCLUDED.count"""

# A learner's counted columns as one text: '' for a learner not counted, so a change among those is none.
_PRINT = (
    f"CASE WHEN {COUNTED.replace('c.', '')} THEN concat_ws('|', organization_id, last_bounced_at, "
    "last_bounce_category, last_bounce_subtype, email_domain) ELSE '' END"
)
SOURCES = {
    "INSERT": f"SELECT 1 AS sign, {COLUMNS} FROM new_rows",
    "UPDATE": f"""SELECT sign, {COLUMNS} FROM (
  SELECT b.*, min(print) OVER w <> max(print) OVER w AS changed
  FROM (SELECT -1 AS sign, id, {COLUMNS}, {_PRINT} AS print FROM old_rows
        UNION ALL SELECT 1, id, {COLUMNS}, {_PRINT} FROM new_rows) b
  WINDOW w AS (PARTITION BY id)
) d WHERE changed""",
    "DELETE": f"SELECT -1 AS sign, {COLUMNS} FROM old_rows",
}


def _name(op: str) -> str:
    return f"bp_count_learner_days_{op.lower()}"


def _gate(op: str) -> str:
    if op != "UPDATE":
        return ""
    return f"IF current_setting('{MARK}', true) IS DISTINCT FROM 'on' THEN RETURN NULL; END IF;\n"


TRIGGERS = "".join(
    f"""
CREATE OR REPLACE FUNCTION {_name(op)}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
{_gate(op)}{DELTA.format(source=source)};
RETURN NULL;
END $fn$;
CREATE TRIGGER {_name(op)} AFTER {op} ON contacts_learner {_0023._REFERENCING[op]} FOR EACH STATEMENT
  EXECUTE FUNCTION {_name(op)}();
"""
    for op, source in SOURCES.items()
)
TOUCH = _0025.TOUCH.replace(
    "    RETURN NEW;",
    f"""    IF NEW.last_bounced_at IS DISTINCT FROM OLD.last_bounced_at
       OR NEW.last_bounce_category IS DISTINCT FROM OLD.last_bounce_category
       OR NEW.last_bounce_subtype IS DISTINCT FROM OLD.last_bounce_subtype
       OR NEW.email IS DISTINCT FROM OLD.email OR NEW.organization_id IS DISTINCT FROM OLD.organization_id THEN
        PERFORM set_config('{MARK}', 'on', true);
    END IF;
    RETURN NEW;""",
)
assert TOUCH != _0025.TOUCH
# What the triggers would have counted had they always been there.
FILL = DELTA.format(source=f"SELECT 1 AS sign, {COLUMNS} FROM contacts_learner").replace(
    "bp_free_counter_shard()", "0"
)
REMOVE = "".join(
    f"DROP TRIGGER IF EXISTS {_name(op)} ON contacts_learner; DROP FUNCTION IF EXISTS {_name(op)}();" for op in SOURCES
)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0028_learner_day_counters"),
    ]

    operations = [
        migrations.RunPython(
            # ANALYZE: without statistics the planner takes the new table for a few rows and sorts a
            # month's 10,000 counter rows by key (25 ms at 1,000,000 learners) instead of hashing them (3 ms).
            _0023._on_postgresql(TOUCH, TRIGGERS, FILL, "ANALYZE contacts_learnerdaycounter"),
            _0023._on_postgresql(_0025.TOUCH, REMOVE),
        ),
    ]
