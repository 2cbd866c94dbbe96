"""Bounce events carry the run of their send (``run_id``), written by PostgreSQL at insert, and a (run, category) index.

The run details' category filter (``?category=unsubscribe``) walked the run's sends in address order and
probed each one's events: at 1,000,000 sends a run and some 900 unsubscribes among them it read 240,000
sends and their event index entries (0.7 s warm, seconds cold) for a first page. With the run on the
event, the matching sends are one range of ``event_run_category`` (campaigns/filters.py).

The column is a copy of ``campaigns_send.run_id`` at insert, filled by a BEFORE INSERT row trigger (one
primary key probe, the one the foreign key check makes anyway), so no code path can forget it; the
append-only guard (0009, 0028) then keeps it as it keeps every fact of the event. The trigger is installed
first, then the events already stored are filled in batches of FILL_BATCH ids, each its own short
transaction on the retention path (``bounceportal.audit``: the one way the guard lets a fact be
written; the counters' triggers see no counted column change), then the index is built concurrently
(a large table: tests/test_migrations.py). SQLite (the demo) gets neither the trigger nor the fill: the
filter reads the events of each send there, as before.
"""

from importlib import import_module

from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres

INSTALL = """
CREATE OR REPLACE FUNCTION bp_event_run_of_send() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.send_id IS NULL THEN
    NEW.run_id := NULL;
  ELSE
    NEW.run_id := (SELECT s.run_id FROM campaigns_send s WHERE s.id = NEW.send_id);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER bp_event_run_of_send BEFORE INSERT ON campaigns_bounceevent
  FOR EACH ROW EXECUTE FUNCTION bp_event_run_of_send();
"""
FILL_BATCH = 10_000

_0009 = import_module("campaigns.migrations.0009_bounceevent_append_only")

REMOVE = """
DROP TRIGGER IF EXISTS bp_event_run_of_send ON campaigns_bounceevent;
DROP FUNCTION IF EXISTS bp_event_run_of_send();
"""


def fill_existing_events(apps, schema_editor):
    """Give every stored event with a send the run of that send, FILL_BATCH ids a transaction."""
    from bounceportal.audit import retention_path

    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT max(id) FROM (SELECT id FROM campaigns_bounceevent WHERE id > %s ORDER BY id LIMIT %s) b",
                [last, FILL_BATCH],
            )
            upto = cursor.fetchone()[0]
        if upto is None:
            return
        with retention_path(connection.alias), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE campaigns_bounceevent e SET run_id = s.run_id FROM campaigns_send s "
                "WHERE s.id = e.send_id AND e.id > %s AND e.id <= %s AND e.run_id IS DISTINCT FROM s.run_id",
                [last, upto],
            )
        last = upto


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("campaigns", "0028_event_guard_compares_rows"),
        ("contacts", "0026_learner_near_threshold_category_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="bounceevent",
            name="run_id",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(_0009._on_postgresql(INSTALL), _0009._on_postgresql(REMOVE)),
        migrations.RunPython(fill_existing_events, migrations.RunPython.noop),
        AddIndexConcurrentlyOnPostgres(
            model_name="bounceevent",
            index=models.Index(
                condition=models.Q(("superseded_at__isnull", True)),
                fields=["run_id", "category"],
                include=("send_id",),
                name="event_run_category",
            ),
        ),
    ]
