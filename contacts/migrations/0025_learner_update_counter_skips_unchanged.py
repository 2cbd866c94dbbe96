"""The learners' UPDATE counter trigger does nothing in a transaction that changed no learner's status.

Most learner updates (a bounce counted, an open, the last-bounce columns) change neither the status
nor the organization, which is all ``contacts_learnercounter`` counts (0023); yet its statement
trigger ran its window over the transition tables for every one of them: on bench/policy.py's
one-event transactions as long as the learner UPDATE itself. PostgreSQL refuses ``UPDATE OF``
on a trigger with transition tables.

The row trigger that keeps ``updated_at`` (0009) now also marks the transaction
(``SET LOCAL bounceportal.learners_changed = 'on'``) when a row's status or organization changes;
the statement trigger returns at once until a transaction is marked, and runs as before after.
A savepoint rolled back takes its mark back with its rows.
"""

from importlib import import_module

from django.db import migrations

_0009 = import_module("contacts.migrations.0009_learner_updated_at_cleared_via_api")
_0023 = import_module("contacts.migrations.0023_learner_counter_triggers")

MARK = "bounceportal.learners_changed"

TOUCH = f"""
CREATE OR REPLACE FUNCTION contacts_learner_touch() RETURNS trigger AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status OR NEW.organization_id IS DISTINCT FROM OLD.organization_id THEN
        PERFORM set_config('{MARK}', 'on', true);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""


def _counter(*, gated: bool) -> str:
    gate = f"IF current_setting('{MARK}', true) IS DISTINCT FROM 'on' THEN RETURN NULL; END IF;\n" if gated else ""
    return f"""
CREATE OR REPLACE FUNCTION bp_count_learners_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
{gate}{_0023.DELTA.format(source=_0023.SOURCES["UPDATE"])};
RETURN NULL;
END $fn$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0024_learner_near_threshold_index"),
    ]

    operations = [
        migrations.RunPython(
            _0023._on_postgresql(TOUCH, _counter(gated=True)),
            _0023._on_postgresql(_0009.POSTGRES_TRIGGER[0], _counter(gated=False)),
        ),
    ]
