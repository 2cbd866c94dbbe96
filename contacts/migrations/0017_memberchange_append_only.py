"""MemberChange rows are append-only: a PostgreSQL trigger refuses every UPDATE and DELETE.

The same guard as the Clearance's (0007): only a transaction in
``bounceportal.audit.retention_path()`` may delete or rewrite one. SQLite gets no trigger.
"""

from django.db import migrations

INSTALL = """
CREATE OR REPLACE FUNCTION bounceportal_guard_memberchange() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('bounceportal.retention', true) = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'member change % is an audit record: % refused', OLD.id, TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'MemberChange rows are append-only; retention runs in bounceportal.audit.retention_path().';
END $$;
CREATE TRIGGER bounceportal_memberchange_append_only BEFORE UPDATE OR DELETE ON contacts_memberchange
  FOR EACH ROW EXECUTE FUNCTION bounceportal_guard_memberchange();
"""

REMOVE = """
DROP TRIGGER IF EXISTS bounceportal_memberchange_append_only ON contacts_memberchange;
DROP FUNCTION IF EXISTS bounceportal_guard_memberchange();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no interpolation: the SQL has % in RAISE formats

    return run


class Migration(migrations.Migration):
    dependencies = [("contacts", "0016_members_and_invitations")]

    operations = [migrations.RunPython(_on_postgresql(INSTALL), _on_postgresql(REMOVE))]
