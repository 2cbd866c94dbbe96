"""Learner.updated_at, kept by a trigger on every UPDATE, and its index; the API as a way of clearing."""

import django.utils.timezone
from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres, RunSQLByVendor

# Every UPDATE of a learner row moves updated_at, whichever code path writes it (set-based UPDATEs
# of the deliverability package included): the API's "updated since" must not miss a state change.
# An UPDATE that sets updated_at itself (a data fix, a test going back in time) keeps its value.
POSTGRES_TRIGGER = [
    """
    CREATE OR REPLACE FUNCTION contacts_learner_touch() RETURNS trigger AS $$
    BEGIN
        IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
            NEW.updated_at := now();
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER contacts_learner_touch BEFORE UPDATE ON contacts_learner
    FOR EACH ROW EXECUTE FUNCTION contacts_learner_touch()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS contacts_learner_touch ON contacts_learner",
    "DROP FUNCTION IF EXISTS contacts_learner_touch()",
]
# SQLite has no BEFORE-trigger assignment: an AFTER trigger writes the column (recursive triggers
# are off, and the WHEN guard would stop a recursion anyway). Django stores UTC as 'YYYY-MM-DD HH:MM:SS.fff'.
SQLITE_TRIGGER = [
    """
    CREATE TRIGGER contacts_learner_touch AFTER UPDATE ON contacts_learner
    FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
    BEGIN
        UPDATE contacts_learner SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = NEW.id;
    END
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS contacts_learner_touch"]
CLEARED_VIA = [
    ("portal", "Portal (learner edit)"),
    ("portal_bulk", "Portal bulk clear"),
    ("admin", "Admin"),
    ("admin_bulk", "Admin bulk clear"),
    ("address_list", "Admin address list"),
    ("email_change", "Email address changed"),
    ("open", "Learner opened a message"),
    ("reclassify", "Bounce re-classified"),
    ("expiry", "Soft suppression expired"),
    ("api", "REST API"),
]


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("contacts", "0008_customer_experience_unlocks_logins"),
    ]

    operations = [
        migrations.AddField(
            model_name="learner",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        RunSQLByVendor(
            forwards={"postgresql": POSTGRES_TRIGGER, "sqlite": SQLITE_TRIGGER},
            backwards={"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP},
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="learner",
            index=models.Index(fields=["organization", "updated_at", "id"], name="learner_org_updated"),
        ),
        migrations.AlterField(
            model_name="bulkclearjob",
            name="via",
            field=models.CharField(
                choices=CLEARED_VIA,
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="clearance",
            name="via",
            field=models.CharField(
                choices=CLEARED_VIA,
                max_length=16,
            ),
        ),
    ]
