"""Bounce events are append-only: a PostgreSQL trigger refuses DELETE and every UPDATE of their facts.

What was received (address, action, status, codes, diagnostic, remote MTA, evidence), when
(occurred_at), for which message, send and learner, how it was matched and how it was classified
at the time can never change. Three bookkeeping columns stay writable, each once:

- ``outcome`` and ``applied_at``, while ``applied_at`` is still NULL: the policy stores what
  applying the event did (campaigns/services/policy.py, right after the insert);
- ``superseded_at``, while it is NULL: re-classify no longer deletes the events it replaces, it
  marks them superseded (``BounceEvent.objects`` leaves them out, ``all_objects`` keeps them).

The check compares the whole row as jsonb minus those three columns, so a column added later is
protected without touching the trigger. The one way around it is a transaction that ran
``SET LOCAL bounceportal.retention = 'on'`` (``bounceportal.audit.retention_path()``: the retention
job, deleting an organization, learner or send, which cascade or null their events).

SQLite (the demo) gets no trigger: see bounceportal/audit.py.
"""

from django.db import migrations, models

INSTALL = """
CREATE OR REPLACE FUNCTION bounceportal_guard_bounceevent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('bounceportal.retention', true) = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE'
     AND (to_jsonb(NEW) - ARRAY['outcome', 'applied_at', 'superseded_at'])
         = (to_jsonb(OLD) - ARRAY['outcome', 'applied_at', 'superseded_at'])
     AND (OLD.applied_at IS NULL
          OR (NEW.outcome = OLD.outcome AND NEW.applied_at IS NOT DISTINCT FROM OLD.applied_at))
     AND (OLD.superseded_at IS NULL OR NEW.superseded_at IS NOT DISTINCT FROM OLD.superseded_at)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'bounce event % is an audit record: % refused', OLD.id, TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'Only outcome/applied_at (once, when applied) and superseded_at (once) may be written; '
                 'retention runs in bounceportal.audit.retention_path().';
END $$;
CREATE TRIGGER bounceportal_bounceevent_append_only BEFORE UPDATE OR DELETE ON campaigns_bounceevent
  FOR EACH ROW EXECUTE FUNCTION bounceportal_guard_bounceevent();
"""

REMOVE = """
DROP TRIGGER IF EXISTS bounceportal_bounceevent_append_only ON campaigns_bounceevent;
DROP FUNCTION IF EXISTS bounceportal_guard_bounceevent();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no interpolation: the SQL has % in RAISE formats

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0008_send_due_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='bounceevent',
            name='superseded_at',
            field=models.DateTimeField(blank=True, help_text='When a re-classify replaced this event (kept for the audit, no longer counted).', null=True),
        ),
        migrations.RunPython(_on_postgresql(INSTALL), _on_postgresql(REMOVE)),
    ]
