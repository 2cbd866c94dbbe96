"""The learners near the soft-bounce threshold through a partial index of the active ones (issue #16).

Your Learner Reports' near-threshold sample and capped count read, at 1,000,000 learners, every learner
with a soft count past the lowest floor through learner_org_soft_counting and dropped the bounced ones
and the engaged ones below their higher floor row by row (about 240,000 heap reads). This index holds
the active learners only, closest first, with the engagement date, so both are answered from the index.
Built concurrently on PostgreSQL (no write lock on the learners).
"""

from django.db import migrations, models

from bounceportal.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contacts", "0023_learner_counter_triggers"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="learner",
            index=models.Index(
                condition=models.Q(("soft_bounce_count__gt", 0), ("status", "active")),
                fields=["organization", "-soft_bounce_count", "id"],
                include=("last_engaged_at",),
                name="learner_org_active_soft",
            ),
        ),
    ]
