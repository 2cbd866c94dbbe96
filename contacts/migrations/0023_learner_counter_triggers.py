"""Learners counted by status per organization, kept by the writes (issue #16): statement triggers on learners.

Every INSERT, UPDATE or DELETE of learners adds its net change, in the same statement (so in the same
transaction), to ``contacts_learnercounter`` under ``status:<status>``, in the shard of its connection
(``pg_backend_pid() % 8``, as the campaigns' counters), rows upserted in key order. An UPDATE finds
the learners whose status or organization changed with one window over the old and new rows by id
(not a join of the transition tables, which the planner runs as nested loops); most learner updates
(a bounce counted, an open) change neither and add nothing.

contacts/learner_counters.py reads them and rebuilds them from the learners; SQLite (the demo) has
no triggers and counts the learners there.
"""

from django.db import migrations

_UPSERT = (
    "ON CONFLICT (organization_id, key, shard) DO UPDATE SET count = contacts_learnercounter.count + EXCLUDED.count"
)

DELTA = f"""
INSERT INTO contacts_learnercounter (organization_id, key, shard, count)
SELECT c.organization_id, 'status:' || c.status, (pg_backend_pid() % 8)::smallint, SUM(c.sign)
FROM ({{source}}) c JOIN contacts_organization o ON o.id = c.organization_id
GROUP BY 1, 2 HAVING SUM(c.sign) <> 0 ORDER BY 1, 2
{_UPSERT}"""

SOURCES = {
    "INSERT": "SELECT 1 AS sign, organization_id, status FROM new_rows",
    "UPDATE": """SELECT sign, organization_id, status FROM (
  SELECT b.*, (min(status) OVER w <> max(status) OVER w OR min(organization_id) OVER w <> max(organization_id) OVER w)
         AS changed
  FROM (SELECT -1 AS sign, id, organization_id, status FROM old_rows
        UNION ALL SELECT 1, id, organization_id, status FROM new_rows) b
  WINDOW w AS (PARTITION BY id)
) d WHERE changed""",
    "DELETE": "SELECT -1 AS sign, organization_id, status FROM old_rows",
}
_REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def _name(op: str) -> str:
    return f"bp_count_learners_{op.lower()}"


TRIGGERS = "".join(
    f"""
CREATE OR REPLACE FUNCTION {_name(op)}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
{DELTA.format(source=source)};
RETURN NULL;
END $fn$;
CREATE TRIGGER {_name(op)} AFTER {op} ON contacts_learner {_REFERENCING[op]} FOR EACH STATEMENT
  EXECUTE FUNCTION {_name(op)}();
"""
    for op, source in SOURCES.items()
)
# What the triggers would have counted had they always been there.
FILL = DELTA.format(source="SELECT 1 AS sign, organization_id, status FROM contacts_learner").replace(
    "(pg_backend_pid() % 8)::smallint", "0"
)
REMOVE = "".join(
    f"DROP TRIGGER IF EXISTS {_name(op)} ON contacts_learner; DROP FUNCTION IF EXISTS {_name(op)}();" for op in SOURCES
)


def _on_postgresql(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0022_learner_counters"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(TRIGGERS, FILL), _on_postgresql(REMOVE)),
    ]
