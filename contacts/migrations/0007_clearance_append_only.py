"""Clearance rows are append-only: a PostgreSQL trigger refuses every UPDATE and DELETE.

A Clearance records who cleared which learner, when, how, the state before and the note. No
column of it is bookkeeping, so none may change. The one exception is a transaction that ran
``SET LOCAL bounceportal.retention = 'on'``, which only ``bounceportal.audit.retention_path()``
does (the retention job; deleting an organization or a learner, which cascades to their rows).
The user who cleared is now protected from deletion (deactivate instead), so the row keeps them.

SQLite (the demo) gets no trigger: see bounceportal/audit.py.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INSTALL = """
CREATE OR REPLACE FUNCTION bounceportal_guard_clearance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('bounceportal.retention', true) = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'clearance % is an audit record: % refused', OLD.id, TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'Clearance rows are append-only; retention runs in bounceportal.audit.retention_path().';
END $$;
CREATE TRIGGER bounceportal_clearance_append_only BEFORE UPDATE OR DELETE ON contacts_clearance
  FOR EACH ROW EXECUTE FUNCTION bounceportal_guard_clearance();
"""

REMOVE = """
DROP TRIGGER IF EXISTS bounceportal_clearance_append_only ON contacts_clearance;
DROP FUNCTION IF EXISTS bounceportal_guard_clearance();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no interpolation: the SQL has % in RAISE formats

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0006_soft_suppression_expiry'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='clearance',
            name='cleared_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='clearances', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(_on_postgresql(INSTALL), _on_postgresql(REMOVE)),
    ]
