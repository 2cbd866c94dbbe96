"""The sends' and bounce events' counter triggers write to a shard no concurrent writer holds
(``bp_free_counter_shard()``, contacts 0027), not to ``pg_backend_pid() % 8`` (0022): two pollers of one
mailbox whose process ids agreed modulo 8 took turns at the run's and the day's counter rows."""

from importlib import import_module

from django.db import migrations

_0023 = import_module("contacts.migrations.0023_learner_counter_triggers")

FREE = "CREATE OR REPLACE FUNCTION bp_counter_shard() RETURNS smallint LANGUAGE sql VOLATILE AS $$ SELECT bp_free_counter_shard() $$"
OWN = "CREATE OR REPLACE FUNCTION bp_counter_shard() RETURNS smallint LANGUAGE sql STABLE AS $$ SELECT (pg_backend_pid() % 8)::smallint $$"


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0030_send_lower_email_index"),
        ("contacts", "0027_counter_shard_free_of_other_writers"),
    ]

    operations = [
        migrations.RunPython(_0023._on_postgresql(FREE), _0023._on_postgresql(OWN)),
    ]
